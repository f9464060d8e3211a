//! `oxgrpc call`: one call of any kind, proto3 JSON in and out.

use crate::args::{ConnArgs, DataArgs};
use crate::error::CliError;
use crate::json::{self, Printer};
use crate::raw::RawMessage;
use crate::source;
use crate::target::{self, CallOptions};
use futures_util::StreamExt as _;
use futures_util::stream::{self, BoxStream};
use oxgrpc::{Metadata, Streaming};
use prost_reflect::{MessageDescriptor, MethodDescriptor};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Runs `call`: resolves the method, sends the request(s), prints each
/// response as it arrives.
pub(crate) async fn run(
    conn: &ConnArgs,
    data: &DataArgs,
    target: &str,
    method: &str,
) -> Result<(), CliError> {
    let channel = target::connect(conn, target).await?;
    let options = CallOptions::from_args(conn)?;
    let mut source = source::for_args(conn, &channel, &options)?;
    let method = source.method(method).await?;
    let path = source::path_of(&method);
    let printer = Printer::new(method.output(), conn.emit_defaults);
    let verbose = Verbose::new(conn.verbose);
    verbose.preamble(&method, options.metadata());
    let input = Input::open(method.input(), data.data.as_deref())?;
    let sent = input.sent.clone();
    let received = AtomicUsize::new(0);
    let print = |message: &RawMessage| {
        received.fetch_add(1, Ordering::Relaxed);
        printer.print(message)
    };

    let result: Result<(), CliError> =
        match (method.is_client_streaming(), method.is_server_streaming()) {
            (false, false) => {
                let request = options.request(input.single().await?);
                let response =
                    channel.unary::<_, RawMessage>(&path, request).await.map_err(CliError::Rpc)?;
                verbose.headers(response.metadata());
                print(response.get_ref())?;
                verbose.trailers(response.trailers());
                Ok(())
            }
            (false, true) => {
                let request = options.request(input.single().await?);
                let response = channel.server_streaming::<_, RawMessage>(&path, request).await;
                print_stream(response.map_err(CliError::Rpc)?, &verbose, &print).await
            }
            (true, false) => {
                let (requests, failure) = input.into_stream();
                let response = channel
                    .client_streaming::<_, _, RawMessage>(&path, options.request(requests))
                    .await;
                take_failure(&failure)?;
                let response = response.map_err(CliError::Rpc)?;
                verbose.headers(response.metadata());
                print(response.get_ref())?;
                verbose.trailers(response.trailers());
                Ok(())
            }
            (true, true) => {
                let (requests, failure) = input.into_stream();
                let response = channel
                    .bidi_streaming::<_, _, RawMessage>(&path, options.request(requests))
                    .await;
                let printed =
                    print_stream(response.map_err(CliError::Rpc)?, &verbose, &print).await;
                take_failure(&failure)?;
                printed
            }
        };
    if let Err(CliError::Rpc(status)) = &result {
        verbose.trailers(status.metadata());
    }
    verbose.counts(sent.load(Ordering::Relaxed), received.load(Ordering::Relaxed));
    result
}

async fn print_stream(
    response: oxgrpc::Response<Streaming<RawMessage>>,
    verbose: &Verbose,
    print: &impl Fn(&RawMessage) -> Result<(), CliError>,
) -> Result<(), CliError> {
    verbose.headers(response.metadata());
    let mut stream = response.into_inner();
    while let Some(message) = stream.message().await.map_err(CliError::Rpc)? {
        print(&message)?;
    }
    if let Some(trailers) = stream.trailers() {
        verbose.trailers(trailers);
    }
    Ok(())
}

/// A request-data error found while streaming, reported after the call.
type Failure = Arc<Mutex<Option<CliError>>>;

fn take_failure(failure: &Failure) -> Result<(), CliError> {
    match failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Where request messages come from: `-d JSON` (all parsed up front) or
/// `-d @` (stdin, each message sent as soon as it is read).
struct Input {
    source: InputSource,
    sent: Arc<AtomicUsize>,
}

enum InputSource {
    Parsed(Vec<RawMessage>),
    Stdin(tokio::sync::mpsc::UnboundedReceiver<Result<RawMessage, CliError>>),
}

impl Input {
    fn open(desc: MessageDescriptor, data: Option<&str>) -> Result<Input, CliError> {
        let source = match data {
            None => InputSource::Parsed(json::parse_all(&desc, "{}")?),
            Some("@") => {
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                std::thread::spawn(move || json::stream_from(desc, std::io::stdin(), &tx));
                InputSource::Stdin(rx)
            }
            Some(text) => InputSource::Parsed(json::parse_all(&desc, text)?),
        };
        Ok(Input { source, sent: Arc::new(AtomicUsize::new(0)) })
    }

    /// Exactly one message, for unary and server-streaming calls.
    async fn single(self) -> Result<RawMessage, CliError> {
        let mut all = match self.source {
            InputSource::Parsed(messages) => messages,
            InputSource::Stdin(mut rx) => {
                let mut all = Vec::new();
                while let Some(message) = rx.recv().await {
                    all.push(message?);
                }
                all
            }
        };
        if all.len() != 1 {
            return Err(CliError::Usage(format!(
                "this method takes exactly one request message, and the data has {}",
                all.len()
            )));
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        Ok(all.remove(0))
    }

    /// The messages as a request stream; a parse error ends the stream and
    /// is kept in the [`Failure`].
    fn into_stream(self) -> (BoxStream<'static, RawMessage>, Failure) {
        let failure: Failure = Arc::default();
        let sent = self.sent;
        let messages: BoxStream<'static, Result<RawMessage, CliError>> = match self.source {
            InputSource::Parsed(messages) => stream::iter(messages.into_iter().map(Ok)).boxed(),
            InputSource::Stdin(rx) => {
                stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) }).boxed()
            }
        };
        let keep = failure.clone();
        let stream = messages
            .scan((), move |(), message| {
                let next = match message {
                    Ok(message) => {
                        sent.fetch_add(1, Ordering::Relaxed);
                        Some(message)
                    }
                    Err(e) => {
                        *keep.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                        None
                    }
                };
                std::future::ready(next)
            })
            .boxed();
        (stream, failure)
    }
}

/// `-v`: what grpcurl prints around the responses.
struct Verbose {
    on: bool,
}

impl Verbose {
    fn new(on: bool) -> Verbose {
        Verbose { on }
    }

    fn preamble(&self, method: &MethodDescriptor, metadata: &Metadata) {
        if self.on {
            println!("\nResolved method descriptor:\n{}\n", crate::describe::method_line(method));
            println!("Request metadata to send:\n{}", metadata_text(metadata));
        }
    }

    fn headers(&self, metadata: &Metadata) {
        if self.on {
            println!("Response headers received:\n{}", metadata_text(metadata));
            println!("Response contents:");
        }
    }

    fn trailers(&self, metadata: &Metadata) {
        if self.on {
            println!("Response trailers received:\n{}", metadata_text(metadata));
        }
    }

    fn counts(&self, sent: usize, received: usize) {
        if self.on {
            let plural =
                |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
            println!(
                "Sent {} and received {}",
                plural(sent, "request"),
                plural(received, "response")
            );
        }
    }
}

fn metadata_text(metadata: &Metadata) -> String {
    if metadata.is_empty() {
        return "(empty)\n".to_string();
    }
    let mut text = String::new();
    for (key, value) in metadata.iter() {
        let shown = match value.as_str() {
            Some(s) => s.to_string(),
            None => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(value.as_bytes())
            }
        };
        text.push_str(&format!("{key}: {shown}\n"));
    }
    text
}
