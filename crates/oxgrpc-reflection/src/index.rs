//! What reflection answers from: the registered files, each encoded once,
//! and lookup tables from symbols and extensions to the file defining them.
//!
//! Built once by [`Builder`](crate::Builder) and then only read, by every
//! reflection stream at once; nothing here blocks or allocates per lookup
//! beyond the answer itself.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use prost::Message as _;
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
};

use crate::error::Error;

/// The gRPC code of an error answer (inside the stream, not the call's
/// status).
pub(crate) const NOT_FOUND: i32 = 5;
/// A request with no question in it.
pub(crate) const INVALID_ARGUMENT: i32 = 3;

/// One reflection question, the same in every protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Query<'a> {
    FileByFilename(&'a str),
    FileContainingSymbol(&'a str),
    FileContainingExtension {
        containing_type: &'a str,
        number: i32,
    },
    AllExtensionNumbersOfType(&'a str),
    ListServices,
    /// The request had none of the above.
    Empty,
}

/// The answer to one [`Query`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The file asked for first, then everything it imports, transitively,
    /// each once (encoded `FileDescriptorProto`s).
    Files(Vec<Vec<u8>>),
    ExtensionNumbers {
        base_type: String,
        numbers: Vec<i32>,
    },
    Services(Vec<String>),
    Error {
        code: i32,
        message: String,
    },
}

#[derive(Debug)]
struct File {
    encoded: Vec<u8>,
    dependencies: Vec<String>,
}

/// Every registered file, and where each symbol and extension is defined.
#[derive(Debug, Default)]
pub(crate) struct Index {
    files: HashMap<String, File>,
    /// Fully qualified names (no leading dot) of messages, fields, oneofs,
    /// enums, enum values, services, methods and extensions, to the file
    /// that defines them.
    symbols: HashMap<String, String>,
    messages: HashSet<String>,
    /// (extended message, field number) to the file defining the extension.
    extensions: BTreeMap<(String, i32), String>,
    services: BTreeSet<String>,
}

impl Index {
    /// Indexes `files`. A file registered twice must be the same file (its
    /// source info aside); every import must be registered too.
    pub(crate) fn new(files: Vec<FileDescriptorProto>) -> Result<Index, Error> {
        let mut index = Index::default();
        let mut seen: HashMap<String, FileDescriptorProto> = HashMap::new();
        for file in files {
            let name = file.name().to_owned();
            if let Some(first) = seen.get(&name) {
                if without_source_info(first) != without_source_info(&file) {
                    return Err(Error::ConflictingFile { name });
                }
                continue;
            }
            index.add_file(&file);
            seen.insert(name, file);
        }
        for (name, file) in &index.files {
            if let Some(missing) = file.dependencies.iter().find(|d| !index.files.contains_key(*d))
            {
                return Err(Error::MissingDependency {
                    file: name.clone(),
                    dependency: missing.clone(),
                });
            }
        }
        Ok(index)
    }

    /// Answers one question.
    pub(crate) fn answer(&self, query: Query<'_>) -> Answer {
        match query {
            Query::FileByFilename(name) => self.files_from(name, || format!("file {name:?}")),
            Query::FileContainingSymbol(symbol) => match self.symbols.get(symbol) {
                Some(file) => self.files_from(file, String::new),
                None => not_found(format!("symbol {symbol:?}")),
            },
            Query::FileContainingExtension { containing_type, number } => {
                match self.extensions.get(&(containing_type.to_owned(), number)) {
                    Some(file) => self.files_from(file, String::new),
                    None => not_found(format!("extension {number} of {containing_type:?}")),
                }
            }
            Query::AllExtensionNumbersOfType(message) => {
                if !self.messages.contains(message) {
                    return not_found(format!("message type {message:?}"));
                }
                let numbers = self
                    .extensions
                    .range((message.to_owned(), i32::MIN)..=(message.to_owned(), i32::MAX))
                    .map(|((_, number), _)| *number)
                    .collect();
                Answer::ExtensionNumbers { base_type: message.to_owned(), numbers }
            }
            Query::ListServices => Answer::Services(self.services.iter().cloned().collect()),
            Query::Empty => Answer::Error {
                code: INVALID_ARGUMENT,
                message: "the request asks nothing".to_owned(),
            },
        }
    }

    /// `name` and its transitive imports, `name` first, each once, in the
    /// order a depth-first walk of the imports meets them.
    fn files_from(&self, name: &str, what: impl FnOnce() -> String) -> Answer {
        if !self.files.contains_key(name) {
            return not_found(what());
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut stack = vec![name];
        while let Some(next) = stack.pop() {
            let Some(file) = self.files.get(next) else { continue };
            if !seen.insert(next) {
                continue;
            }
            out.push(file.encoded.clone());
            stack.extend(file.dependencies.iter().rev().map(String::as_str));
        }
        Answer::Files(out)
    }

    fn add_file(&mut self, file: &FileDescriptorProto) {
        let name = file.name();
        let package = file.package();
        for message in &file.message_type {
            self.add_message(name, package, message);
        }
        for enumeration in &file.enum_type {
            self.add_enum(name, package, enumeration);
        }
        for extension in &file.extension {
            self.add_extension(name, package, extension);
        }
        for service in &file.service {
            let full = join(package, service.name());
            for method in &service.method {
                self.add_symbol(join(&full, method.name()), name);
            }
            self.services.insert(full.clone());
            self.add_symbol(full, name);
        }
        let dependencies = file.dependency.clone();
        self.files.insert(name.to_owned(), File { encoded: file.encode_to_vec(), dependencies });
    }

    fn add_message(&mut self, file: &str, scope: &str, message: &DescriptorProto) {
        let full = join(scope, message.name());
        for field in &message.field {
            self.add_symbol(join(&full, field.name()), file);
        }
        for oneof in &message.oneof_decl {
            self.add_symbol(join(&full, oneof.name()), file);
        }
        for nested in &message.nested_type {
            self.add_message(file, &full, nested);
        }
        for enumeration in &message.enum_type {
            self.add_enum(file, &full, enumeration);
        }
        for extension in &message.extension {
            self.add_extension(file, &full, extension);
        }
        self.messages.insert(full.clone());
        self.add_symbol(full, file);
    }

    /// An enum, and its values as protobuf scopes them: as siblings of the
    /// enum (`pkg.VALUE`, `pkg.Message.VALUE`), not inside it.
    fn add_enum(&mut self, file: &str, scope: &str, enumeration: &EnumDescriptorProto) {
        for value in &enumeration.value {
            self.add_symbol(join(scope, value.name()), file);
        }
        self.add_symbol(join(scope, enumeration.name()), file);
    }

    fn add_extension(&mut self, file: &str, scope: &str, extension: &FieldDescriptorProto) {
        let extendee = extension.extendee().trim_start_matches('.').to_owned();
        self.extensions.entry((extendee, extension.number())).or_insert_with(|| file.to_owned());
        self.add_symbol(join(scope, extension.name()), file);
    }

    /// The first file to define a name keeps it.
    fn add_symbol(&mut self, symbol: String, file: &str) {
        self.symbols.entry(symbol).or_insert_with(|| file.to_owned());
    }
}

fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() { name.to_owned() } else { format!("{scope}.{name}") }
}

fn not_found(what: String) -> Answer {
    Answer::Error { code: NOT_FOUND, message: format!("{what} not found") }
}

fn without_source_info(file: &FileDescriptorProto) -> FileDescriptorProto {
    FileDescriptorProto { source_code_info: None, ..file.clone() }
}
