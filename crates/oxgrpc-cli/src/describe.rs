//! Symbols by name, printed back as protobuf source, the way grpcurl's
//! `describe` prints them.

use prost_reflect::{
    Cardinality, DescriptorPool, EnumDescriptor, EnumValueDescriptor, ExtensionDescriptor,
    FieldDescriptor, Kind, MessageDescriptor, MethodDescriptor, OneofDescriptor, ServiceDescriptor,
};
use std::fmt::Write as _;

/// Anything a fully-qualified name can name.
#[derive(Debug, Clone)]
pub(crate) enum Symbol {
    /// A service.
    Service(ServiceDescriptor),
    /// A method of a service.
    Method(MethodDescriptor),
    /// A message.
    Message(MessageDescriptor),
    /// A field of a message.
    Field(FieldDescriptor),
    /// A oneof of a message.
    Oneof(OneofDescriptor),
    /// An enum.
    Enum(EnumDescriptor),
    /// An enum value (scoped beside its enum).
    EnumValue(EnumValueDescriptor),
    /// An extension.
    Extension(ExtensionDescriptor),
}

impl Symbol {
    /// Looks `name` up (a leading dot is allowed).
    pub(crate) fn resolve(pool: &DescriptorPool, name: &str) -> Option<Symbol> {
        let name = name.strip_prefix('.').unwrap_or(name);
        if let Some(s) = pool.get_service_by_name(name) {
            return Some(Symbol::Service(s));
        }
        if let Some(m) = pool.get_message_by_name(name) {
            return Some(Symbol::Message(m));
        }
        if let Some(e) = pool.get_enum_by_name(name) {
            return Some(Symbol::Enum(e));
        }
        if let Some(x) = pool.get_extension_by_name(name) {
            return Some(Symbol::Extension(x));
        }
        let (parent, last) = name.rsplit_once('.').unwrap_or(("", name));
        if let Some(service) = pool.get_service_by_name(parent) {
            return service.methods().find(|m| m.name() == last).map(Symbol::Method);
        }
        if let Some(message) = pool.get_message_by_name(parent) {
            if let Some(field) = message.get_field_by_name(last) {
                return Some(Symbol::Field(field));
            }
            if let Some(oneof) = message.oneofs().find(|o| o.name() == last) {
                return Some(Symbol::Oneof(oneof));
            }
        }
        pool.all_enums()
            .filter(|e| enum_scope(e) == parent)
            .find_map(|e| e.get_value_by_name(last))
            .map(Symbol::EnumValue)
    }

    /// What grpcurl says before the source: `X is a service:`.
    pub(crate) fn describe(&self) -> String {
        let (name, kind) = match self {
            Symbol::Service(s) => (s.full_name(), "a service"),
            Symbol::Method(m) => (m.full_name(), "a method"),
            Symbol::Message(m) => (m.full_name(), "a message"),
            Symbol::Field(f) => (f.full_name(), "a field"),
            Symbol::Oneof(o) => (o.full_name(), "a one-of"),
            Symbol::Enum(e) => (e.full_name(), "an enum"),
            Symbol::EnumValue(v) => (v.full_name(), "an enum value"),
            Symbol::Extension(x) => (x.full_name(), "an extension"),
        };
        let mut out = format!("{name} is {kind}:\n");
        match self {
            Symbol::Service(s) => service_source(&mut out, s),
            Symbol::Method(m) => {
                let _ = writeln!(out, "{}", method_line(m));
            }
            Symbol::Message(m) => message_source(&mut out, m, 0),
            Symbol::Field(f) => {
                let _ = writeln!(out, "{}", field_line(f));
            }
            Symbol::Oneof(o) => oneof_source(&mut out, o, 0),
            Symbol::Enum(e) => enum_source(&mut out, e, 0),
            Symbol::EnumValue(v) => {
                let _ = writeln!(out, "{} = {};", v.name(), v.number());
            }
            Symbol::Extension(x) => {
                let _ = writeln!(
                    out,
                    "extend .{} {{\n  {}\n}}",
                    x.containing_message().full_name(),
                    extension_line(x)
                );
            }
        }
        out
    }
}

/// Where an enum's values live: beside the enum, in its parent's scope.
fn enum_scope(e: &EnumDescriptor) -> &str {
    e.full_name().rsplit_once('.').map_or("", |(scope, _)| scope)
}

fn indent(out: &mut String, depth: usize) {
    out.extend(std::iter::repeat_n("  ", depth));
}

fn service_source(out: &mut String, service: &ServiceDescriptor) {
    let _ = writeln!(out, "service {} {{", service.name());
    for method in service.methods() {
        let _ = writeln!(out, "  {}", method_line(&method));
    }
    out.push_str("}\n");
}

/// `rpc GetBook ( .bookstore.GetBookRequest ) returns ( .bookstore.Book );`
pub(crate) fn method_line(method: &MethodDescriptor) -> String {
    let stream = |yes: bool| if yes { "stream " } else { "" };
    format!(
        "rpc {} ( {}.{} ) returns ( {}.{} );",
        method.name(),
        stream(method.is_client_streaming()),
        method.input().full_name(),
        stream(method.is_server_streaming()),
        method.output().full_name()
    )
}

fn message_source(out: &mut String, message: &MessageDescriptor, depth: usize) {
    indent(out, depth);
    let _ = writeln!(out, "message {} {{", message.name());
    for field in message.fields() {
        match field.containing_oneof() {
            Some(oneof) if !oneof.is_synthetic() => {
                if oneof.fields().next().is_some_and(|first| first.number() == field.number()) {
                    oneof_source(out, &oneof, depth + 1);
                }
            }
            _ => {
                indent(out, depth + 1);
                let _ = writeln!(out, "{}", field_line(&field));
            }
        }
    }
    for child in message.child_messages().filter(|m| !m.is_map_entry()) {
        message_source(out, &child, depth + 1);
    }
    for child in message.child_enums() {
        enum_source(out, &child, depth + 1);
    }
    indent(out, depth);
    out.push_str("}\n");
}

fn oneof_source(out: &mut String, oneof: &OneofDescriptor, depth: usize) {
    indent(out, depth);
    let _ = writeln!(out, "oneof {} {{", oneof.name());
    for field in oneof.fields() {
        indent(out, depth + 1);
        let _ = writeln!(out, "{}", field_line(&field));
    }
    indent(out, depth);
    out.push_str("}\n");
}

fn enum_source(out: &mut String, e: &EnumDescriptor, depth: usize) {
    indent(out, depth);
    let _ = writeln!(out, "enum {} {{", e.name());
    for value in e.values() {
        indent(out, depth + 1);
        let _ = writeln!(out, "{} = {};", value.name(), value.number());
    }
    indent(out, depth);
    out.push_str("}\n");
}

/// `repeated .bookstore.Book books = 1;`, `map<string, int32> counts = 2;`
fn field_line(field: &FieldDescriptor) -> String {
    let label = if field.is_map() {
        ""
    } else if field.is_list() {
        "repeated "
    } else if field.cardinality() == Cardinality::Required {
        "required "
    } else if field.field_descriptor_proto().proto3_optional() {
        "optional "
    } else {
        ""
    };
    let kind = match field.kind() {
        Kind::Message(entry) if field.is_map() => format!(
            "map<{}, {}>",
            kind_name(&entry.map_entry_key_field().kind()),
            kind_name(&entry.map_entry_value_field().kind())
        ),
        kind => kind_name(&kind),
    };
    format!("{label}{kind} {} = {};", field.name(), field.number())
}

fn extension_line(x: &ExtensionDescriptor) -> String {
    let label = if x.is_list() { "repeated " } else { "" };
    format!("{label}{} {} = {};", kind_name(&x.kind()), x.name(), x.number())
}

/// A field type as it is written in a .proto file.
fn kind_name(kind: &Kind) -> String {
    let name = match kind {
        Kind::Double => "double",
        Kind::Float => "float",
        Kind::Int32 => "int32",
        Kind::Int64 => "int64",
        Kind::Uint32 => "uint32",
        Kind::Uint64 => "uint64",
        Kind::Sint32 => "sint32",
        Kind::Sint64 => "sint64",
        Kind::Fixed32 => "fixed32",
        Kind::Fixed64 => "fixed64",
        Kind::Sfixed32 => "sfixed32",
        Kind::Sfixed64 => "sfixed64",
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Message(m) => return format!(".{}", m.full_name()),
        Kind::Enum(e) => return format!(".{}", e.full_name()),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::Symbol;
    use prost_reflect::DescriptorPool;

    fn pool() -> DescriptorPool {
        let dir = std::env::temp_dir().join(format!("oxgrpc-describe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("shop.proto"),
            r#"syntax = "proto3";
package shop;
message Item {
  string id = 1;
  repeated string tags = 2;
  map<string, int32> stock = 3;
  optional int64 price = 4;
  oneof origin { string country = 5; Item parent = 6; }
  enum Kind { KIND_UNSET = 0; BOOK = 1; }
  Kind kind = 7;
}
service Shop { rpc Get(Item) returns (stream Item); }
"#,
        )
        .unwrap();
        let files = protox::compile([dir.join("shop.proto")], [&dir]).unwrap();
        DescriptorPool::from_file_descriptor_set(files).unwrap()
    }

    #[test]
    fn a_message_prints_as_protobuf_source() {
        let text = Symbol::resolve(&pool(), "shop.Item").unwrap().describe();
        assert_eq!(
            text,
            "shop.Item is a message:
message Item {
  string id = 1;
  repeated string tags = 2;
  map<string, int32> stock = 3;
  optional int64 price = 4;
  oneof origin {
    string country = 5;
    .shop.Item parent = 6;
  }
  .shop.Item.Kind kind = 7;
  enum Kind {
    KIND_UNSET = 0;
    BOOK = 1;
  }
}
"
        );
    }

    #[test]
    fn services_methods_fields_and_enum_values_resolve() {
        let pool = pool();
        let service = Symbol::resolve(&pool, ".shop.Shop").unwrap().describe();
        assert_eq!(
            service,
            "shop.Shop is a service:\nservice Shop {\n  rpc Get ( .shop.Item ) returns ( stream .shop.Item );\n}\n"
        );
        assert!(matches!(Symbol::resolve(&pool, "shop.Shop.Get"), Some(Symbol::Method(_))));
        assert!(matches!(Symbol::resolve(&pool, "shop.Item.tags"), Some(Symbol::Field(_))));
        assert!(matches!(Symbol::resolve(&pool, "shop.Item.origin"), Some(Symbol::Oneof(_))));
        assert!(matches!(Symbol::resolve(&pool, "shop.Item.BOOK"), Some(Symbol::EnumValue(_))));
        assert!(Symbol::resolve(&pool, "shop.Nope").is_none());
        assert!(Symbol::resolve(&pool, "shop.Shop.Nope").is_none());
    }
}
