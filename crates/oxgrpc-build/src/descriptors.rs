//! One descriptor set per generated package: the package's own files and,
//! transitively, every file they import.
//!
//! A compile run may cover several packages (`helloworld` and `bookstore`
//! in one `build.rs`); each package's `FILE_DESCRIPTOR_SET` holds only what
//! that package needs, so a server that registers it for reflection lists
//! the services it serves and not its neighbours'.

use std::collections::{BTreeMap, HashSet};

use prost_build::Module;
use prost_types::{FileDescriptorProto, FileDescriptorSet};

/// For each package in `set`, the files of that package and their
/// transitive imports, in `set`'s order (protox writes imports first).
pub(crate) fn per_package(set: &FileDescriptorSet) -> BTreeMap<Module, FileDescriptorSet> {
    let mut packages: BTreeMap<Module, HashSet<&str>> = BTreeMap::new();
    for file in &set.file {
        let wanted =
            packages.entry(Module::from_protobuf_package_name(file.package())).or_default();
        add_with_imports(set, file, wanted);
    }
    packages
        .into_iter()
        .map(|(module, wanted)| {
            let file =
                set.file.iter().filter(|file| wanted.contains(file.name())).cloned().collect();
            (module, FileDescriptorSet { file })
        })
        .collect()
}

/// Adds `file` and everything it imports, directly or not, to `wanted`.
fn add_with_imports<'a>(
    set: &'a FileDescriptorSet,
    file: &'a FileDescriptorProto,
    wanted: &mut HashSet<&'a str>,
) {
    if !wanted.insert(file.name()) {
        return;
    }
    for import in &file.dependency {
        if let Some(imported) = set.file.iter().find(|f| f.name() == import) {
            add_with_imports(set, imported, wanted);
        }
    }
}
