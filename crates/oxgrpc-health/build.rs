//! Generates the `grpc.health.v1` messages, server and client, without protoc.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    oxgrpc_build::configure().compile(&["proto/grpc/health/v1/health.proto"], &["proto"])?;
    Ok(())
}
