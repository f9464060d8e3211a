//! The [`prost_build::ServiceGenerator`] that writes oxgrpc servers and clients.
//!
//! Code is generated as text; prost-build formats the whole package file with
//! prettyplease afterwards, so the layout here only has to be valid Rust.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use heck::ToSnakeCase;
use prost_build::{Comments, Method, Service, ServiceGenerator};

/// Client method names that would collide with the generated constructors.
const RESERVED_CLIENT_METHODS: &[&str] = &["new", "connect", "channel"];

/// Generates oxgrpc service code for every service prost-build walks.
#[derive(Debug)]
pub(crate) struct OxgrpcServiceGenerator {
    pub(crate) build_server: bool,
    pub(crate) build_client: bool,
    /// Generated code that failed to parse, recorded so `compile` can return an
    /// error instead of letting prost-build's formatter panic on it.
    pub(crate) invalid: Rc<RefCell<Vec<(String, String)>>>,
}

impl ServiceGenerator for OxgrpcServiceGenerator {
    fn generate(&mut self, service: Service, buf: &mut String) {
        let mut code = String::new();
        if self.build_server {
            server(&service, &mut code);
        }
        if self.build_client {
            client(&service, &mut code);
        }
        match syn::parse_file(&code) {
            Ok(_) => buf.push_str(&code),
            Err(err) => self.invalid.borrow_mut().push((full_name(&service), err.to_string())),
        }
    }
}

/// The fully qualified proto name of a service, `package.Service`.
fn full_name(service: &Service) -> String {
    if service.package.is_empty() {
        service.proto_name.clone()
    } else {
        format!("{}.{}", service.package, service.proto_name)
    }
}

/// The Rust type of a method's input or output, as seen from inside the
/// generated `*_server` / `*_client` module (one level below the package).
fn rust_type(path: &str) -> String {
    if path == "()" || path.starts_with("::") || path.starts_with("crate::") {
        path.to_owned()
    } else {
        format!("super::{path}")
    }
}

/// The name of a generated client method, renamed with a trailing underscore if
/// it would collide with a constructor.
fn client_method_name(method: &Method) -> String {
    if RESERVED_CLIENT_METHODS.contains(&method.name.as_str()) {
        format!("{}_", method.name)
    } else {
        method.name.clone()
    }
}

/// Doc comment lines for an item: the proto comments, or `fallback` when the
/// proto has none. Detached comments are left out: they document nothing.
fn docs(comments: &Comments, fallback: &str, buf: &mut String) {
    let proto = Comments {
        leading_detached: Vec::new(),
        leading: comments.leading.clone(),
        trailing: comments.trailing.clone(),
    };
    let start = buf.len();
    proto.append_with_indent(0, buf);
    if buf.len() == start {
        let _ = writeln!(buf, "/// {fallback}");
    }
}

fn server(service: &Service, buf: &mut String) {
    let trait_name = &service.name;
    let struct_name = format!("{}Server", service.name);
    let module = format!("{}_server", service.proto_name.to_snake_case());
    let full = full_name(service);

    docs(&service.comments, &format!("Server side of the `{full}` service."), buf);
    let _ = writeln!(buf, "pub mod {module} {{");

    let generated = format!(
        "Generated trait containing the methods of the `{full}` service; \
         implement it and serve it with [`{struct_name}`]."
    );
    let start = buf.len();
    docs(&service.comments, "", buf);
    if buf[start..].trim() == "///" {
        buf.truncate(start);
    } else {
        buf.push_str("///\n");
    }
    let _ = writeln!(buf, "/// {generated}");
    let _ = writeln!(
        buf,
        "pub trait {trait_name}: ::core::marker::Send + ::core::marker::Sync + 'static {{"
    );
    for method in &service.methods {
        trait_method(method, buf);
    }
    buf.push_str("}\n");

    let _ = writeln!(
        buf,
        "/// Serves a [`{trait_name}`] implementation; add it to \
         `oxgrpc::Server::builder().add_service(..)`.
#[derive(Debug)]
pub struct {struct_name}<T> {{
    inner: ::std::sync::Arc<T>,
}}
impl<T: {trait_name}> {struct_name}<T> {{
    /// Wraps `inner` so it can be served.
    pub fn new(inner: T) -> Self {{
        Self {{ inner: ::std::sync::Arc::new(inner) }}
    }}
    /// Serves an implementation that is already shared.
    pub fn from_arc(inner: ::std::sync::Arc<T>) -> Self {{
        Self {{ inner }}
    }}
}}
impl<T> ::core::clone::Clone for {struct_name}<T> {{
    fn clone(&self) -> Self {{
        Self {{ inner: ::std::sync::Arc::clone(&self.inner) }}
    }}
}}
impl<T: {trait_name}> ::oxgrpc::codegen::Service for {struct_name}<T> {{
    fn name(&self) -> &'static str {{
        {full:?}
    }}
    fn methods(&self) -> &'static [&'static str] {{
        &[{methods}]
    }}
    fn call(
        &self,
        method: &str,
        call: ::oxgrpc::codegen::ServerCall,
    ) -> ::core::result::Result<::oxgrpc::BoxFuture<'static, ()>, ::oxgrpc::codegen::ServerCall> {{",
        methods = service
            .methods
            .iter()
            .map(|m| format!("{:?}", m.proto_name))
            .collect::<Vec<_>>()
            .join(", "),
    );
    if service.methods.is_empty() {
        buf.push_str("let _ = method;\n::core::result::Result::Err(call)\n");
    } else {
        buf.push_str("let inner = ::std::sync::Arc::clone(&self.inner);\nmatch method {\n");
        for method in &service.methods {
            dispatch_arm(method, buf);
        }
        buf.push_str("_ => ::core::result::Result::Err(call),\n}\n");
    }
    buf.push_str("}\n}\n}\n");
}

fn trait_method(method: &Method, buf: &mut String) {
    let input = rust_type(&method.input_type);
    let output = rust_type(&method.output_type);
    let request = if method.client_streaming {
        format!("::oxgrpc::Request<::oxgrpc::Streaming<{input}>>")
    } else {
        format!("::oxgrpc::Request<{input}>")
    };
    let (sink, ok) = if method.server_streaming {
        (format!(", responses: ::oxgrpc::ResponseSink<{output}>"), "()".to_owned())
    } else {
        (String::new(), format!("::oxgrpc::Response<{output}>"))
    };
    docs(&method.comments, &format!("Handles the `{}` method.", method.proto_name), buf);
    let _ = writeln!(
        buf,
        "fn {name}(&self, request: {request}{sink}) -> impl ::core::future::Future<\
         Output = ::core::result::Result<{ok}, ::oxgrpc::Status>> + ::core::marker::Send;",
        name = method.name,
    );
}

fn dispatch_arm(method: &Method, buf: &mut String) {
    let input = rust_type(&method.input_type);
    let output = rust_type(&method.output_type);
    let kind = match (method.client_streaming, method.server_streaming) {
        (false, false) => "unary",
        (false, true) => "server_streaming",
        (true, false) => "client_streaming",
        (true, true) => "bidi_streaming",
    };
    let (params, args) = if method.server_streaming {
        ("request, responses", "request, responses")
    } else {
        ("request", "request")
    };
    let _ = writeln!(
        buf,
        "{proto:?} => ::core::result::Result::Ok(call.{kind}::<{input}, {output}, _, _>(\
         move |{params}| async move {{ inner.{name}({args}).await }})),",
        proto = method.proto_name,
        name = method.name,
    );
}

fn client(service: &Service, buf: &mut String) {
    let client = format!("{}Client", service.name);
    let blocking = format!("{}BlockingClient", service.name);
    let module = format!("{}_client", service.proto_name.to_snake_case());
    let full = full_name(service);

    docs(&service.comments, &format!("Client side of the `{full}` service."), buf);
    let _ = writeln!(
        buf,
        "pub mod {module} {{
/// A client for the `{full}` service. Cheap to clone; calls go through `&self`.
#[derive(Debug, Clone)]
pub struct {client} {{
    inner: ::oxgrpc::Channel,
}}
impl {client} {{
    /// Connects to `uri` (e.g. `http://127.0.0.1:50051`).
    pub async fn connect(uri: &str) -> ::core::result::Result<Self, ::oxgrpc::Status> {{
        ::core::result::Result::Ok(Self::new(::oxgrpc::Channel::connect(uri).await?))
    }}
    /// Makes calls over an existing channel.
    pub fn new(channel: ::oxgrpc::Channel) -> Self {{
        Self {{ inner: channel }}
    }}
    /// The channel calls go over.
    pub fn channel(&self) -> &::oxgrpc::Channel {{
        &self.inner
    }}"
    );
    for method in &service.methods {
        client_method(&full, method, buf);
    }
    // Without methods nothing reads the fields.
    let allow = if service.methods.is_empty() { "\n#[allow(dead_code)]" } else { "" };
    let _ = writeln!(
        buf,
        "}}
/// A blocking client for the `{full}` service, for code that is not async (runs its own runtime).
#[derive(Debug)]{allow}
pub struct {blocking} {{
    inner: {client},
    rt: ::oxgrpc::blocking::Runtime,
}}
impl {blocking} {{
    /// Starts a runtime and connects to `uri` (e.g. `http://127.0.0.1:50051`).
    pub fn connect(uri: &str) -> ::core::result::Result<Self, ::oxgrpc::Status> {{
        let rt = ::oxgrpc::blocking::Runtime::new()?;
        let inner = rt.block_on({client}::connect(uri))?;
        ::core::result::Result::Ok(Self {{ inner, rt }})
    }}"
    );
    for method in &service.methods {
        blocking_method(method, buf);
    }
    buf.push_str("}\n}\n");
}

fn client_method(full: &str, method: &Method, buf: &mut String) {
    let input = rust_type(&method.input_type);
    let output = rust_type(&method.output_type);
    let path = format!("/{full}/{}", method.proto_name);
    let name = client_method_name(method);
    let (param, convert) = if method.client_streaming {
        (
            format!("impl ::oxgrpc::IntoStreamingRequest<Message = {input}>"),
            "into_streaming_request",
        )
    } else {
        (format!("impl ::oxgrpc::IntoRequest<{input}>"), "into_request")
    };
    let (response, call) = match (method.client_streaming, method.server_streaming) {
        (false, false) => (output, "unary"),
        (false, true) => (format!("::oxgrpc::Streaming<{output}>"), "server_streaming"),
        (true, false) => (output, "client_streaming"),
        (true, true) => (format!("::oxgrpc::Streaming<{output}>"), "bidi_streaming"),
    };
    docs(&method.comments, &format!("Calls `{path}`."), buf);
    let _ = writeln!(
        buf,
        "pub async fn {name}(&self, request: {param}) \
         -> ::core::result::Result<::oxgrpc::Response<{response}>, ::oxgrpc::Status> {{
    self.inner.{call}({path:?}, request.{convert}()).await
}}"
    );
}

fn blocking_method(method: &Method, buf: &mut String) {
    let input = rust_type(&method.input_type);
    let output = rust_type(&method.output_type);
    let name = client_method_name(method);
    docs(&method.comments, &format!("Calls the `{}` method.", method.proto_name), buf);
    let (param, ret, body) = match (method.client_streaming, method.server_streaming) {
        (false, false) => (
            format!("request: impl ::oxgrpc::IntoRequest<{input}>"),
            format!("::oxgrpc::Response<{output}>"),
            format!("self.rt.block_on(self.inner.{name}(request))"),
        ),
        (false, true) => (
            format!("request: impl ::oxgrpc::IntoRequest<{input}>"),
            format!("::std::vec::Vec<{output}>"),
            format!(
                "self.rt.block_on(async {{ \
                 self.inner.{name}(request).await?.into_inner().collect_all().await }})"
            ),
        ),
        (true, false) => (
            format!("messages: impl ::core::iter::IntoIterator<Item = {input}>"),
            format!("::oxgrpc::Response<{output}>"),
            format!(
                "let messages: ::std::vec::Vec<_> = messages.into_iter().collect();
                 self.rt.block_on(self.inner.{name}(::oxgrpc::codegen::iter_stream(messages)))"
            ),
        ),
        (true, true) => (
            format!("messages: impl ::core::iter::IntoIterator<Item = {input}>"),
            format!("::std::vec::Vec<{output}>"),
            format!(
                "let messages: ::std::vec::Vec<_> = messages.into_iter().collect();
                 self.rt.block_on(async {{ \
                 self.inner.{name}(::oxgrpc::codegen::iter_stream(messages))\
                 .await?.into_inner().collect_all().await }})"
            ),
        ),
    };
    let _ = writeln!(
        buf,
        "pub fn {name}(&self, {param}) -> ::core::result::Result<{ret}, ::oxgrpc::Status> {{
    {body}
}}"
    );
}
