//! Where descriptors come from: the server's reflection service, or
//! `.proto` files parsed here (protox, no protoc).

use crate::describe::Symbol;
use crate::error::{CliError, Missing};
use crate::reflection::ReflectionClient;
use prost_reflect::{DescriptorPool, MethodDescriptor, ServiceDescriptor};
use std::path::PathBuf;

/// Services and their types, from the server or from files.
pub(crate) enum Source {
    /// `.proto` files, all parsed up front.
    Files(DescriptorPool),
    /// The server, asked over one reflection stream.
    Reflection(Box<ReflectionClient>),
}

impl Source {
    /// Parses `protos` (found under `import_paths`, or beside themselves).
    pub(crate) fn from_files(
        protos: &[PathBuf],
        import_paths: &[PathBuf],
    ) -> Result<Source, CliError> {
        let mut includes = import_paths.to_vec();
        if includes.is_empty() {
            includes.extend(protos.iter().map(|p| match p.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                _ => PathBuf::from("."),
            }));
        }
        let files = protox::compile(protos, &includes).map_err(|e| CliError::Proto(Box::new(e)))?;
        Ok(Source::Files(DescriptorPool::from_file_descriptor_set(files)?))
    }

    /// Every service, sorted by name.
    pub(crate) async fn services(&mut self) -> Result<Vec<String>, CliError> {
        let mut names = match self {
            Source::Files(pool) => pool.services().map(|s| s.full_name().to_string()).collect(),
            Source::Reflection(client) => client.list_services().await?,
        };
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// A pool that holds `symbol` (and everything it refers to).
    pub(crate) async fn pool_for(&mut self, symbol: &str) -> Result<DescriptorPool, CliError> {
        match self {
            Source::Files(pool) => {
                if Symbol::resolve(pool, symbol).is_some() {
                    Ok(pool.clone())
                } else {
                    Err(CliError::NotFound { what: Missing::Symbol, name: symbol.to_string() })
                }
            }
            Source::Reflection(client) => client.pool_for_symbol(symbol).await,
        }
    }

    /// The service named `name`.
    pub(crate) async fn service(&mut self, name: &str) -> Result<ServiceDescriptor, CliError> {
        let pool = self.pool_for(name).await.map_err(|e| match e {
            CliError::NotFound { .. } => {
                CliError::NotFound { what: Missing::Service, name: name.to_string() }
            }
            other => other,
        })?;
        pool.get_service_by_name(name)
            .ok_or_else(|| CliError::NotFound { what: Missing::Service, name: name.to_string() })
    }
}

impl Source {
    /// The method `pkg.Service/Method` (or `pkg.Service.Method`).
    pub(crate) async fn method(&mut self, name: &str) -> Result<MethodDescriptor, CliError> {
        let split = name.trim_start_matches('/').rsplit_once(['/', '.']);
        let Some((service, method)) = split else {
            return Err(CliError::Usage(format!(
                "invalid method {name:?}: expected package.Service/Method"
            )));
        };
        let service = self.service(service).await?;
        let found = service.methods().find(|m| m.name() == method);
        found.ok_or_else(|| CliError::NotFound {
            what: Missing::Method { service: service.full_name().to_string() },
            name: method.to_string(),
        })
    }
}

/// The descriptor source the arguments ask for: `--proto` files, else the
/// server's reflection service.
pub(crate) fn for_args(
    args: &crate::args::ConnArgs,
    channel: &oxgrpc::Channel,
    options: &crate::target::CallOptions,
) -> Result<Source, CliError> {
    if args.protos.is_empty() {
        Ok(Source::Reflection(Box::new(ReflectionClient::new(channel.clone(), options.clone()))))
    } else {
        Source::from_files(&args.protos, &args.import_paths)
    }
}

/// The `/package.Service/Method` path of a method.
pub(crate) fn path_of(method: &MethodDescriptor) -> String {
    format!("/{}/{}", method.parent_service().full_name(), method.name())
}
