//! `oxgrpc`: grpcurl and ghz in one binary, on oxgrpc.
//!
//! ```text
//! oxgrpc list localhost:50051
//! oxgrpc describe localhost:50051 bookstore.Bookstore
//! oxgrpc call localhost:50051 bookstore.Bookstore/GetBook -d '{"id":"123"}'
//! oxgrpc health localhost:50051 --watch
//! oxgrpc bench localhost:50051 helloworld.Greeter/SayHello -d '{"name":"x"}' --total 100000
//! oxgrpc -plaintext -d '{"id":"123"}' localhost:50051 bookstore.Bookstore/GetBook
//! ```

mod args;
mod bench;
mod call;
mod describe;
mod error;
mod health;
mod inspect;
mod json;
mod raw;
mod reflection;
mod source;
mod target;

use args::{Cli, Command};
use clap::Parser as _;
use error::CliError;

fn main() {
    let args = match args::rewrite_grpcurl(std::env::args().collect()) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\nTry 'oxgrpc --help' for more information.");
            std::process::exit(2);
        }
    };
    let cli = Cli::parse_from(args);
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = cli.command.threads() {
        runtime.worker_threads(threads);
    }
    let runtime = runtime.enable_all().build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(run(cli.command)),
        Err(e) => Err(CliError::Io(e)),
    };
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}

async fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::List { conn, target, service } => {
            inspect::list(&conn, &target, service.as_deref()).await
        }
        Command::Describe { conn, target, symbol } => {
            inspect::describe(&conn, &target, symbol.as_deref()).await
        }
        Command::Call { conn, data, target, method } => {
            call::run(&conn, &data, &target, &method).await
        }
        Command::Health { conn, target, service, watch } => {
            health::run(&conn, &target, &service, watch).await
        }
        Command::Bench { conn, data, load, target, method } => {
            bench::run(&conn, &data, &load, &target, &method).await
        }
    }
}
