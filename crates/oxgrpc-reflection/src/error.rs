//! Why a reflection service could not be built.

use std::fmt;

/// Why [`Builder`](crate::Builder) could not build the service.
///
/// ```
/// let err = oxgrpc_reflection::Builder::new()
///     .register_encoded_file_descriptor_set(b"\xff not a descriptor set")
///     .build()
///     .unwrap_err();
/// assert!(matches!(err, oxgrpc_reflection::Error::Decode(_)));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A registered descriptor set is not an encoded
    /// `google.protobuf.FileDescriptorSet`.
    Decode(prost::DecodeError),
    /// A registered file imports one that no registered set holds.
    /// oxgrpc-build's `FILE_DESCRIPTOR_SET` always carries the imports; a set
    /// from elsewhere may need them registered too.
    MissingDependency {
        /// The importing file.
        file: String,
        /// The import that is missing.
        dependency: String,
    },
    /// Two registered sets hold different files under the same name.
    ConflictingFile {
        /// The file name.
        name: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode(_) => f.write_str("a registered descriptor set does not decode"),
            Self::MissingDependency { file, dependency } => {
                write!(f, "{file} imports {dependency}, which no registered descriptor set holds")
            }
            Self::ConflictingFile { name } => {
                write!(f, "two registered descriptor sets hold different files named {name}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Decode(err) => Some(err),
            Self::MissingDependency { .. } | Self::ConflictingFile { .. } => None,
        }
    }
}
