//! Runs the generator on real protos and checks the Rust it writes.
//!
//! The generated code targets the oxgrpc runtime, so here it is only parsed
//! (with `syn`) and searched; compiling it is the runtime crate's job.

use std::path::{Path, PathBuf};
use std::process::Command;

use prost::Message as _;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example_protos() -> PathBuf {
    manifest_dir().join("../../examples/proto")
}

fn test_protos() -> PathBuf {
    manifest_dir().join("tests/protos")
}

/// Everything but whitespace and trailing commas, so checks survive
/// prettyplease's line breaking.
fn squash(code: &str) -> String {
    let mut out: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    for close in [")", ">", "]", "}"] {
        out = out.replace(&format!(",{close}"), close);
    }
    out
}

#[track_caller]
fn assert_has(code: &str, needle: &str) {
    assert!(squash(code).contains(&squash(needle)), "generated code lacks `{needle}`:\n{code}");
}

#[track_caller]
fn assert_lacks(code: &str, needle: &str) {
    assert!(!squash(code).contains(&squash(needle)), "generated code has `{needle}`:\n{code}");
}

/// Generates `protos` into a fresh directory; returns it with the descriptor
/// set path.
fn generate(
    builder: oxgrpc_build::Builder,
    protos: &[PathBuf],
    includes: &[PathBuf],
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let fds = dir.path().join("descriptors/fds.bin");
    builder
        .out_dir(dir.path())
        .file_descriptor_set_path(&fds)
        .emit_rerun_if_changed(false)
        .compile(protos, includes)
        .unwrap_or_else(|err| panic!("generation failed: {err}"));
    (dir, fds)
}

fn read(path: &Path) -> String {
    let code = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    if let Err(err) = syn::parse_file(&code) {
        panic!("{} is not valid Rust: {err}\n{code}", path.display());
    }
    code
}

fn bookstore() -> (tempfile::TempDir, PathBuf, String) {
    let (dir, fds) = generate(
        oxgrpc_build::configure(),
        &[example_protos().join("bookstore.proto")],
        &[example_protos()],
    );
    let code = read(&dir.path().join("bookstore.rs"));
    (dir, fds, code)
}

#[test]
fn bookstore_server_matches_runtime_api() {
    let (_dir, _fds, code) = bookstore();
    assert_has(&code, "pub mod bookstore_server {");
    assert_has(
        &code,
        "pub trait Bookstore: ::core::marker::Send + ::core::marker::Sync + 'static {",
    );
    assert_has(
        &code,
        "fn get_book(&self, request: ::oxgrpc::Request<super::GetBookRequest>)
            -> impl ::core::future::Future<Output = ::core::result::Result<
                ::oxgrpc::Response<super::Book>, ::oxgrpc::Status>> + ::core::marker::Send;",
    );
    assert_has(
        &code,
        "fn list_books(&self, request: ::oxgrpc::Request<()>,
            responses: ::oxgrpc::ResponseSink<super::Book>)
            -> impl ::core::future::Future<Output = ::core::result::Result<(), ::oxgrpc::Status>>
            + ::core::marker::Send;",
    );
    assert_has(
        &code,
        "fn add_books(&self, request: ::oxgrpc::Request<::oxgrpc::Streaming<super::Book>>)
            -> impl ::core::future::Future<Output = ::core::result::Result<
                ::oxgrpc::Response<super::BookList>, ::oxgrpc::Status>> + ::core::marker::Send;",
    );
    assert_has(
        &code,
        "fn chat(&self, request: ::oxgrpc::Request<::oxgrpc::Streaming<super::Book>>,
            responses: ::oxgrpc::ResponseSink<super::Book>)
            -> impl ::core::future::Future<Output = ::core::result::Result<(), ::oxgrpc::Status>>
            + ::core::marker::Send;",
    );
    assert_has(&code, "pub struct BookstoreServer<T> { inner: ::std::sync::Arc<T>, }");
    assert_has(&code, "impl<T: Bookstore> BookstoreServer<T> {");
    assert_has(&code, "pub fn new(inner: T) -> Self");
    assert_has(&code, "pub fn from_arc(inner: ::std::sync::Arc<T>) -> Self");
    assert_has(&code, "impl<T> ::core::clone::Clone for BookstoreServer<T>");
    assert_has(&code, "impl<T: Bookstore> ::oxgrpc::codegen::Service for BookstoreServer<T>");
    assert_has(&code, r#"fn name(&self) -> &'static str { "bookstore.Bookstore" }"#);
    assert_has(
        &code,
        r#"fn methods(&self) -> &'static [&'static str] {
            &["GetBook", "ListBooks", "AddBooks", "Chat"] }"#,
    );
    assert_has(
        &code,
        "fn call(&self, method: &str, call: ::oxgrpc::codegen::ServerCall)
            -> ::core::result::Result<::oxgrpc::BoxFuture<'static, ()>, ::oxgrpc::codegen::ServerCall>",
    );
    assert_has(
        &code,
        r#""GetBook" => { ::core::result::Result::Ok(
            call.unary::<super::GetBookRequest, super::Book, _, _>(
                move |request| async move { inner.get_book(request).await })) }"#,
    );
    assert_has(
        &code,
        r#""ListBooks" => { ::core::result::Result::Ok(call.server_streaming::<(), super::Book, _, _>(
            move |request, responses| async move { inner.list_books(request, responses).await })) }"#,
    );
    assert_has(
        &code,
        r#""AddBooks" => { ::core::result::Result::Ok(
            call.client_streaming::<super::Book, super::BookList, _, _>(
                move |request| async move { inner.add_books(request).await })) }"#,
    );
    assert_has(
        &code,
        r#""Chat" => { ::core::result::Result::Ok(call.bidi_streaming::<super::Book, super::Book, _, _>(
            move |request, responses| async move { inner.chat(request, responses).await })) }"#,
    );
    assert_has(&code, "_ => ::core::result::Result::Err(call) }");
}

#[test]
fn bookstore_client_matches_runtime_api() {
    let (_dir, _fds, code) = bookstore();
    assert_has(&code, "pub mod bookstore_client {");
    assert_has(
        &code,
        "#[derive(Debug, Clone)] pub struct BookstoreClient { inner: ::oxgrpc::Channel, }",
    );
    assert_has(
        &code,
        "pub async fn connect(uri: &str) -> ::core::result::Result<Self, ::oxgrpc::Status> {
            ::core::result::Result::Ok(Self::new(::oxgrpc::Channel::connect(uri).await?)) }",
    );
    assert_has(&code, "pub fn new(channel: ::oxgrpc::Channel) -> Self { Self { inner: channel } }");
    assert_has(&code, "pub fn channel(&self) -> &::oxgrpc::Channel { &self.inner }");
    assert_has(
        &code,
        r#"pub async fn get_book(&self, request: impl ::oxgrpc::IntoRequest<super::GetBookRequest>)
            -> ::core::result::Result<::oxgrpc::Response<super::Book>, ::oxgrpc::Status> {
            self.inner.unary("/bookstore.Bookstore/GetBook", request.into_request()).await }"#,
    );
    assert_has(
        &code,
        r#"pub async fn list_books(&self, request: impl ::oxgrpc::IntoRequest<()>)
            -> ::core::result::Result<::oxgrpc::Response<::oxgrpc::Streaming<super::Book>>,
                ::oxgrpc::Status> {
            self.inner.server_streaming("/bookstore.Bookstore/ListBooks", request.into_request())
                .await }"#,
    );
    assert_has(
        &code,
        r#"pub async fn add_books(&self,
                request: impl ::oxgrpc::IntoStreamingRequest<Message = super::Book>)
            -> ::core::result::Result<::oxgrpc::Response<super::BookList>, ::oxgrpc::Status> {
            self.inner.client_streaming("/bookstore.Bookstore/AddBooks",
                request.into_streaming_request()).await }"#,
    );
    assert_has(
        &code,
        r#"pub async fn chat(&self,
                request: impl ::oxgrpc::IntoStreamingRequest<Message = super::Book>)
            -> ::core::result::Result<::oxgrpc::Response<::oxgrpc::Streaming<super::Book>>,
                ::oxgrpc::Status> {
            self.inner.bidi_streaming("/bookstore.Bookstore/Chat", request.into_streaming_request())
                .await }"#,
    );
    assert_has(
        &code,
        "#[derive(Debug)] pub struct BookstoreBlockingClient {
            inner: BookstoreClient, rt: ::oxgrpc::blocking::Runtime, }",
    );
    assert_has(
        &code,
        "pub fn connect(uri: &str) -> ::core::result::Result<Self, ::oxgrpc::Status> {
            let rt = ::oxgrpc::blocking::Runtime::new()?;
            let inner = rt.block_on(BookstoreClient::connect(uri))?;
            ::core::result::Result::Ok(Self { inner, rt }) }",
    );
    assert_has(
        &code,
        "pub fn get_book(&self, request: impl ::oxgrpc::IntoRequest<super::GetBookRequest>)
            -> ::core::result::Result<::oxgrpc::Response<super::Book>, ::oxgrpc::Status> {
            self.rt.block_on(self.inner.get_book(request)) }",
    );
    assert_has(
        &code,
        "pub fn list_books(&self, request: impl ::oxgrpc::IntoRequest<()>)
            -> ::core::result::Result<::std::vec::Vec<super::Book>, ::oxgrpc::Status> {
            self.rt.block_on(async {
                self.inner.list_books(request).await?.into_inner().collect_all().await }) }",
    );
    assert_has(
        &code,
        "pub fn add_books(&self, messages: impl ::core::iter::IntoIterator<Item = super::Book>)
            -> ::core::result::Result<::oxgrpc::Response<super::BookList>, ::oxgrpc::Status> {
            let messages: ::std::vec::Vec<_> = messages.into_iter().collect();
            self.rt.block_on(self.inner.add_books(::oxgrpc::codegen::iter_stream(messages))) }",
    );
    assert_has(
        &code,
        "pub fn chat(&self, messages: impl ::core::iter::IntoIterator<Item = super::Book>)
            -> ::core::result::Result<::std::vec::Vec<super::Book>, ::oxgrpc::Status> {
            let messages: ::std::vec::Vec<_> = messages.into_iter().collect();
            self.rt.block_on(async { self.inner.chat(::oxgrpc::codegen::iter_stream(messages))
                .await?.into_inner().collect_all().await }) }",
    );
}

#[test]
fn bookstore_docs_and_descriptor_set() {
    let (dir, fds_path, code) = bookstore();
    // Proto comments on the service, its methods and the messages.
    assert_has(&code, "/// The bookstore service.\npub mod bookstore_server");
    assert_has(&code, "/// The bookstore service.\npub mod bookstore_client");
    assert_has(
        &code,
        "/// The bookstore service.\n///\n/// Generated trait containing the methods of the \
         `bookstore.Bookstore` service; implement it and serve it with [`BookstoreServer`].\n\
         pub trait Bookstore",
    );
    assert_has(&code, "/// Streams every book in the store.\nfn list_books");
    assert_has(&code, "/// Streams every book in the store.\npub async fn list_books");
    assert_has(&code, "/// Streams every book in the store.\npub fn list_books");
    assert_has(&code, "/// A book in the store.");
    assert_eq!(code.matches("pub const FILE_DESCRIPTOR_SET").count(), 1);
    assert!(fds_path.is_absolute());
    let package_set = std::path::absolute(dir.path().join("bookstore.fds.bin")).expect("path");
    assert_has(
        &code,
        &format!(
            "pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!({:?});",
            package_set.to_string_lossy()
        ),
    );
    assert_eq!(std::fs::read(&package_set).ok(), std::fs::read(&fds_path).ok());
    // google.protobuf.Empty maps to `()`; no google.protobuf.rs is written.
    assert!(!dir.path().join("google.protobuf.rs").exists());

    let bytes = std::fs::read(&fds_path).expect("descriptor set written");
    let set = prost_types::FileDescriptorSet::decode(bytes.as_slice()).expect("decodes");
    let names: Vec<&str> = set.file.iter().map(|f| f.name()).collect();
    assert!(names.contains(&"bookstore.proto"), "{names:?}");
    assert!(names.contains(&"google/protobuf/empty.proto"), "{names:?}");
    let file = set.file.iter().find(|f| f.name() == "bookstore.proto").expect("bookstore");
    let info = file.source_code_info.as_ref().expect("source info kept");
    assert!(
        info.location.iter().any(|l| l.leading_comments() == " The bookstore service.\n"),
        "service comment missing from source info"
    );
}

#[test]
fn showcase_corner_cases() {
    let (dir, fds) = generate(
        oxgrpc_build::configure(),
        &[test_protos().join("showcase.proto")],
        &[test_protos()],
    );
    let code = read(&dir.path().join("showcase.v1.rs"));
    let items = read(&dir.path().join("acme.inventory.rs"));

    // Acronyms, keywords and a name taken by the client constructor.
    assert_has(&code, "fn get_http_thing(&self, request: ::oxgrpc::Request<super::ThingRequest>)");
    assert_has(&code, "fn r#type(&self, request: ::oxgrpc::Request<super::ThingRequest>)");
    assert_has(&code, "inner.r#type(request).await");
    assert_has(&code, r#"self.inner.unary("/showcase.v1.ThingService/GetHTTPThing""#);
    assert_has(&code, r#"pub async fn r#type(&self"#);
    assert_has(&code, "fn connect(&self, request: ::oxgrpc::Request<::oxgrpc::Streaming<");
    assert_has(&code, "pub async fn connect_(&self, request: impl ::oxgrpc::IntoStreamingRequest");
    assert_has(&code, "self.inner.connect_(::oxgrpc::codegen::iter_stream(messages))");
    assert_has(&code, r#"fn name(&self) -> &'static str { "showcase.v1.ThingService" }"#);
    assert_has(&code, "pub mod thing_service_server");
    assert_has(&code, "pub struct ThingServiceBlockingClient");

    // Types from another, nested package resolve from inside the service modules.
    assert_has(
        &code,
        "fn undocumented(&self, request: ::oxgrpc::Request<super::super::super::acme::inventory::Item>,
            responses: ::oxgrpc::ResponseSink<super::super::super::acme::inventory::Item>)",
    );
    assert_has(&code, "pub item: ::core::option::Option<super::super::acme::inventory::Item>");
    assert_has(&code, "pub since: ::core::option::Option<::prost_types::Timestamp>");
    // proto3 optional.
    assert_has(&code, "pub limit: ::core::option::Option<i32>");

    // Docs: service, methods, fields; indented comment text fenced as text.
    assert_has(
        &code,
        "/// Does things over HTTP and other acronyms.\n///\n/// Second paragraph of the service doc.",
    );
    assert_has(&code, "/// Fetches the HTTP thing.\nfn get_http_thing");
    assert_has(&code, "/// A method named after a Rust keyword.\npub async fn r#type");
    assert_has(&code, "/// The thing's name.\n#[prost(string, tag = \"1\")]\npub name");
    assert_has(&code, "/// Handles the `Undocumented` method.\nfn undocumented");
    assert_has(&code, "/// ```text\n/// let this = not_rust!(at all);\n/// ```");
    assert_has(&items, "/// Stock keeping unit.\n#[prost(string, tag = \"1\")]\npub sku");

    // A service without methods still dispatches (to nothing).
    assert_has(&code, "fn methods(&self) -> &'static [&'static str] { &[] }");
    assert_has(&code, "let _ = method; ::core::result::Result::Err(call)");
    assert_has(&code, "#[derive(Debug)]\n#[allow(dead_code)]\npub struct EmptyBlockingClient");
    assert_lacks(&code, "#[allow(dead_code)]\npub struct ThingServiceBlockingClient");

    // Every package file carries its own descriptor set: its files and their imports.
    let all = file_names(&fds);
    assert!(all.contains(&"google/protobuf/timestamp.proto".to_owned()), "{all:?}");
    for (package, code, files) in [
        ("showcase.v1", &code, vec!["acme/inventory/item.proto", "showcase.proto"]),
        ("acme.inventory", &items, vec!["acme/inventory/item.proto"]),
    ] {
        let set = std::path::absolute(dir.path().join(format!("{package}.fds.bin"))).expect("path");
        assert_has(code, &format!("include_bytes!({:?})", set.to_string_lossy()));
        let mut names = file_names(&set);
        names.retain(|name| !name.starts_with("google/"));
        assert_eq!(names, files, "{package}");
    }
}

fn file_names(set: &Path) -> Vec<String> {
    let bytes = std::fs::read(set).unwrap_or_else(|err| panic!("{}: {err}", set.display()));
    let set = prost_types::FileDescriptorSet::decode(bytes.as_slice()).expect("decodes");
    set.file.iter().map(|f| f.name().to_owned()).collect()
}

#[test]
fn server_or_client_can_be_left_out() {
    let protos = [example_protos().join("helloworld.proto")];
    let includes = [example_protos()];
    let (dir, _) = generate(oxgrpc_build::configure().build_server(false), &protos, &includes);
    let code = read(&dir.path().join("helloworld.rs"));
    assert_lacks(&code, "greeter_server");
    assert_has(&code, "pub mod greeter_client");
    assert_has(&code, "pub struct HelloRequest");

    let (dir, _) = generate(oxgrpc_build::configure().build_client(false), &protos, &includes);
    let code = read(&dir.path().join("helloworld.rs"));
    assert_has(&code, "pub mod greeter_server");
    assert_has(&code, "pub trait Greeter");
    assert_lacks(&code, "greeter_client");
}

#[test]
fn bad_proto_names_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = oxgrpc_build::configure()
        .out_dir(dir.path())
        .emit_rerun_if_changed(false)
        .compile(&[test_protos().join("broken.proto")], &[test_protos()])
        .expect_err("broken.proto must not compile");
    assert!(matches!(err, oxgrpc_build::Error::Proto(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("broken.proto:7:1: "), "{message}");
    assert!(std::error::Error::source(&err).is_some());

    let err = oxgrpc_build::configure()
        .out_dir(dir.path())
        .emit_rerun_if_changed(false)
        .compile(&[test_protos().join("missing.proto")], &[test_protos()])
        .expect_err("missing.proto does not exist");
    assert!(err.to_string().contains("missing.proto"), "{err}");
}

#[test]
fn error_is_a_send_sync_std_error() {
    fn check<E: std::error::Error + Send + Sync + 'static>() {}
    check::<oxgrpc_build::Error>();
}

/// Run by `no_protoc_needed` with `OUT_DIR` set, as in a build script.
#[test]
#[ignore = "needs OUT_DIR; run through no_protoc_needed"]
fn compile_protos_into_out_dir() {
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        panic!("OUT_DIR is not set");
    };
    oxgrpc_build::compile_protos(example_protos().join("helloworld.proto"))
        .unwrap_or_else(|err| panic!("{err}"));
    let code = read(&Path::new(&out_dir).join("helloworld.rs"));
    assert_has(&code, r#"self.inner.unary("/helloworld.Greeter/SayHello""#);
    assert!(Path::new(&out_dir).join("file_descriptor_set.bin").exists());
}

/// Reruns every test in this file with `PROTOC` pointing nowhere and an empty
/// `PATH`, so any attempt to run protoc would fail them.
#[test]
fn no_protoc_needed() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--include-ignored", "--skip", "no_protoc_needed", "--test-threads=1"])
        .args(["--nocapture"])
        .env("PROTOC", "/nonexistent/protoc")
        .env("PATH", "")
        .env("OUT_DIR", out_dir.path())
        .output()
        .expect("rerun tests");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    // The ignored test ran too, and passed.
    assert!(stdout.contains("compile_protos_into_out_dir ..."), "{stdout}");
    assert!(stdout.contains("passed; 0 failed; 0 ignored;"), "{stdout}");
    // compile_protos emits rerun-if-changed for the file and its directory.
    let proto = example_protos().join("helloworld.proto");
    assert!(stdout.contains(&format!("cargo:rerun-if-changed={}\n", proto.display())), "{stdout}");
    let include = example_protos();
    assert!(
        stdout.contains(&format!("cargo:rerun-if-changed={}\n", include.display())),
        "{stdout}"
    );
    assert_eq!(stdout.matches(&format!("cargo:rerun-if-changed={}\n", proto.display())).count(), 1);
}
