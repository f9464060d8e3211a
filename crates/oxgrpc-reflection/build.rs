//! Generates both reflection packages (`grpc.reflection.v1` and `v1alpha`),
//! server and client, without protoc.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    oxgrpc_build::configure().compile(
        &[
            "proto/grpc/reflection/v1/reflection.proto",
            "proto/grpc/reflection/v1alpha/reflection.proto",
        ],
        &["proto"],
    )?;
    Ok(())
}
