//! Code generation for [oxgrpc](https://example.invalid/oxgrpc): turns `.proto`
//! files into Rust messages (via prost) plus oxgrpc servers and clients.
//!
//! No `protoc` is needed: `.proto` files are parsed in pure Rust by
//! [`protox`], which also bundles the `google/protobuf/*.proto` well-known
//! types. Call it from `build.rs`:
//!
//! ```no_run
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     oxgrpc_build::compile_protos("proto/helloworld.proto")?;
//!     Ok(())
//! }
//! ```
//!
//! and include the generated package with `oxgrpc::include_proto!("helloworld")`.
//!
//! For each package, the generated `<package>.rs` holds the prost messages,
//! for each service a `<service>_server` module (a trait to implement and a
//! `<Service>Server` to serve it) and a `<service>_client` module (an async
//! `<Service>Client` and a `<Service>BlockingClient`), and a
//! `FILE_DESCRIPTOR_SET` constant with the encoded descriptors of the
//! package's files and everything they import, for reflection.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use prost::Message as _;
use prost_build::Module;

mod descriptors;
mod service;

/// Compiles one `.proto` file, with its parent directory as the include path,
/// into `$OUT_DIR` with both servers and clients.
///
/// Shorthand for `configure().compile(&[proto], &[parent of proto])`.
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     oxgrpc_build::compile_protos("proto/helloworld.proto")?;
///     Ok(())
/// }
/// ```
pub fn compile_protos(proto: impl AsRef<Path>) -> Result<(), Error> {
    let proto = proto.as_ref();
    let include = match proto.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    configure().compile(&[proto], &[include])
}

/// Starts a [`Builder`] with the defaults: servers and clients, output to
/// `$OUT_DIR`, descriptor set to `$OUT_DIR/file_descriptor_set.bin`.
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     oxgrpc_build::configure()
///         .build_client(false)
///         .compile(&["proto/bookstore.proto"], &["proto"])?;
///     Ok(())
/// }
/// ```
pub fn configure() -> Builder {
    Builder::default()
}

/// Options for a code generation run; made by [`configure`].
///
/// ```no_run
/// let out = std::path::PathBuf::from("src/generated");
/// oxgrpc_build::configure()
///     .build_server(true)
///     .build_client(true)
///     .out_dir(&out)
///     .file_descriptor_set_path(out.join("bookstore_descriptor.bin"))
///     .compile(&["proto/bookstore.proto"], &["proto"])?;
/// # Ok::<(), oxgrpc_build::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    build_server: bool,
    build_client: bool,
    out_dir: Option<PathBuf>,
    file_descriptor_set_path: Option<PathBuf>,
    emit_rerun_if_changed: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            build_server: true,
            build_client: true,
            out_dir: None,
            file_descriptor_set_path: None,
            emit_rerun_if_changed: true,
        }
    }
}

impl Builder {
    /// Whether to generate the `<service>_server` modules (default `true`).
    ///
    /// ```no_run
    /// oxgrpc_build::configure()
    ///     .build_server(false)
    ///     .compile(&["proto/bookstore.proto"], &["proto"])?;
    /// # Ok::<(), oxgrpc_build::Error>(())
    /// ```
    pub fn build_server(mut self, enable: bool) -> Self {
        self.build_server = enable;
        self
    }

    /// Whether to generate the `<service>_client` modules (default `true`).
    ///
    /// ```no_run
    /// oxgrpc_build::configure()
    ///     .build_client(false)
    ///     .compile(&["proto/bookstore.proto"], &["proto"])?;
    /// # Ok::<(), oxgrpc_build::Error>(())
    /// ```
    pub fn build_client(mut self, enable: bool) -> Self {
        self.build_client = enable;
        self
    }

    /// Where to write the generated `<package>.rs` files (default `$OUT_DIR`).
    /// The directory is created if missing.
    ///
    /// ```no_run
    /// oxgrpc_build::configure()
    ///     .out_dir("src/generated")
    ///     .compile(&["proto/bookstore.proto"], &["proto"])?;
    /// # Ok::<(), oxgrpc_build::Error>(())
    /// ```
    pub fn out_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(path.into());
        self
    }

    /// Where to write the encoded `FileDescriptorSet` of every compiled file,
    /// imports and source info included (default
    /// `<out_dir>/file_descriptor_set.bin`). Each package's
    /// `FILE_DESCRIPTOR_SET` constant holds the part of it that package
    /// needs (its own files and their imports), written next to the package's
    /// code as `<package>.fds.bin`.
    ///
    /// ```no_run
    /// oxgrpc_build::configure()
    ///     .file_descriptor_set_path("target/bookstore.bin")
    ///     .compile(&["proto/bookstore.proto"], &["proto"])?;
    /// # Ok::<(), oxgrpc_build::Error>(())
    /// ```
    pub fn file_descriptor_set_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.file_descriptor_set_path = Some(path.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` lines for the input files,
    /// the include directories and every imported file (default `true`).
    ///
    /// ```no_run
    /// oxgrpc_build::configure()
    ///     .emit_rerun_if_changed(false)
    ///     .compile(&["proto/bookstore.proto"], &["proto"])?;
    /// # Ok::<(), oxgrpc_build::Error>(())
    /// ```
    pub fn emit_rerun_if_changed(mut self, enable: bool) -> Self {
        self.emit_rerun_if_changed = enable;
        self
    }

    /// Parses `protos` (searching `includes` for them and their imports) and
    /// writes one `<package>.rs` per protobuf package, plus the descriptor set.
    ///
    /// Never runs `protoc`. A `.proto` file that does not parse or type-check
    /// gives [`Error::Proto`], whose message names the file, line and column.
    ///
    /// ```no_run
    /// oxgrpc_build::configure().compile(&["proto/bookstore.proto"], &["proto"])?;
    /// # Ok::<(), oxgrpc_build::Error>(())
    /// ```
    pub fn compile(
        &self,
        protos: &[impl AsRef<Path>],
        includes: &[impl AsRef<Path>],
    ) -> Result<(), Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or(Error::OutDirNotSet)?,
        };
        let fds_path = self
            .file_descriptor_set_path
            .clone()
            .unwrap_or_else(|| out_dir.join("file_descriptor_set.bin"));
        let fds_path = std::path::absolute(&fds_path).map_err(|e| Error::io(&fds_path, e))?;

        // Inputs and include dirs are watched even if parsing fails below, so
        // that fixing the file reruns the build script.
        let mut watched: Vec<PathBuf> = Vec::new();
        if self.emit_rerun_if_changed {
            let inputs = protos.iter().map(AsRef::as_ref).chain(includes.iter().map(AsRef::as_ref));
            rerun_if_changed(&mut watched, inputs);
        }

        let mut compiler = protox::Compiler::new(includes.iter().map(AsRef::as_ref))?;
        compiler.include_source_info(true).include_imports(true);
        compiler.open_files(protos.iter().map(AsRef::as_ref))?;
        if self.emit_rerun_if_changed {
            rerun_if_changed(&mut watched, compiler.files().filter_map(|file| file.path()));
        }
        let fds = compiler.file_descriptor_set();

        std::fs::create_dir_all(&out_dir).map_err(|e| Error::io(&out_dir, e))?;
        if let Some(parent) = fds_path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        write_if_changed(&fds_path, &fds.encode_to_vec())?;

        let package_sets = descriptors::per_package(&fds);
        let invalid = Rc::new(RefCell::new(Vec::new()));
        let mut config = prost_build::Config::new();
        config.service_generator(Box::new(service::OxgrpcServiceGenerator {
            build_server: self.build_server,
            build_client: self.build_client,
            invalid: Rc::clone(&invalid),
        }));
        let requests = fds
            .file
            .into_iter()
            .map(|file| (Module::from_protobuf_package_name(file.package()), file))
            .collect();
        let modules = config.generate(requests).map_err(Error::Codegen)?;
        if let Some((service, message)) = invalid.borrow_mut().pop() {
            return Err(Error::InvalidService { service, message });
        }

        let out_dir = std::path::absolute(&out_dir).map_err(|e| Error::io(&out_dir, e))?;
        for (module, mut code) in modules {
            let file_name = module.to_file_name_or("_");
            let package_set = package_sets.get(&module).map(|set| set.encode_to_vec());
            let set_path = out_dir.join(descriptor_set_file_name(&file_name));
            write_if_changed(&set_path, &package_set.unwrap_or_default())?;
            code.push_str(&descriptor_set_const(&set_path));
            write_if_changed(&out_dir.join(file_name), code.as_bytes())?;
        }
        Ok(())
    }
}

/// Prints `cargo:rerun-if-changed` for each path not already in `watched`.
fn rerun_if_changed<'a>(watched: &mut Vec<PathBuf>, paths: impl Iterator<Item = &'a Path>) {
    for path in paths {
        if !watched.iter().any(|seen| seen == path) {
            println!("cargo:rerun-if-changed={}", path.display());
            watched.push(path.to_owned());
        }
    }
}

/// `<package>.fds.bin` for the generated `<package>.rs`.
fn descriptor_set_file_name(code_file: &str) -> String {
    format!("{}.fds.bin", code_file.strip_suffix(".rs").unwrap_or(code_file))
}

/// The `FILE_DESCRIPTOR_SET` item appended to every generated package file.
fn descriptor_set_const(fds_path: &Path) -> String {
    format!(
        "/// The encoded `google.protobuf.FileDescriptorSet` of this package's files and every\n\
         /// file they import (source info included), for reflection.\n\
         pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!({:?});\n",
        fds_path.to_string_lossy()
    )
}

/// Writes `contents` to `path` unless it already holds exactly that, so that
/// unchanged output does not trigger rebuilds.
fn write_if_changed(path: &Path, contents: &[u8]) -> Result<(), Error> {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| Error::io(path, e))
}

/// Why code generation failed.
///
/// ```no_run
/// if let Err(err) = oxgrpc_build::compile_protos("proto/broken.proto") {
///     // e.g. "proto/broken.proto:3:1: expected ';', but found '}'"
///     panic!("{err}");
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A `.proto` file could not be found, read, parsed or checked. The
    /// message names the file and, where there is one, the line and column.
    Proto(protox::Error),
    /// Reading or writing a file failed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// prost-build failed to generate the message code.
    Codegen(io::Error),
    /// No output directory was given and `OUT_DIR` is not set (not in a
    /// build script).
    OutDirNotSet,
    /// The service code generated for a service did not parse as Rust; a bug
    /// in oxgrpc-build.
    InvalidService {
        /// The full proto name of the service.
        service: String,
        /// The parse error.
        message: String,
    },
}

impl Error {
    fn io(path: &Path, source: io::Error) -> Self {
        Self::Io { path: path.to_owned(), source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // protox's Debug form is its one-line `file:line:column: message`.
            Self::Proto(err) => write!(f, "{err:?}"),
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Codegen(err) => write!(f, "prost-build failed: {err}"),
            Self::OutDirNotSet => {
                f.write_str("OUT_DIR is not set: call from build.rs or set Builder::out_dir")
            }
            Self::InvalidService { service, message } => write!(
                f,
                "generated code for service `{service}` is not valid Rust ({message}); \
                 please report this as an oxgrpc-build bug"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Proto(err) => Some(err),
            Self::Io { source, .. } | Self::Codegen(source) => Some(source),
            Self::OutDirNotSet | Self::InvalidService { .. } => None,
        }
    }
}

impl From<protox::Error> for Error {
    fn from(err: protox::Error) -> Self {
        Self::Proto(err)
    }
}
