//! Generates messages, server traits and clients from the protos, without protoc.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    oxgrpc_build::configure().compile(&["proto/helloworld.proto", "proto/bookstore.proto"], &["proto"])?;
    Ok(())
}
