//! The bookstore server: books in memory, one method of each kind, with the
//! standard health service (`grpc.health.v1.Health`: "" and
//! `bookstore.Bookstore` SERVING, NOT_SERVING once shutdown starts) and
//! server reflection (`grpc.reflection.v1` and `v1alpha`). SIGUSR1 flips
//! `bookstore.Bookstore` between SERVING and NOT_SERVING.
//!
//! Behaviour beyond the article, for tests: request metadata whose key
//! starts with `x-` is echoed in the response's initial metadata;
//! `x-delay-ms: N` delays each answer by N ms; trailers carry
//! `x-served-by: oxgrpc-bookstore`; a logging interceptor prints each call's
//! outcome, and `cancelled: <method>` for calls the client cancelled.

use oxgrpc::{
    BoxFuture, CallInfo, Interceptor, Metadata, Request, Response, ResponseSink, Server, Status,
    Streaming,
};
use oxgrpc_examples::bookstore::bookstore_server::{Bookstore, BookstoreServer};
use oxgrpc_examples::bookstore::{Book, BookList, GetBookRequest};
use oxgrpc_health::HealthReporter;
use oxgrpc_reflection::ServerBuilderExt as _;
use std::sync::Mutex;
use std::time::Duration;

/// The books, in the order they were added; ids are unique.
struct Store {
    books: Mutex<Vec<Book>>,
}

/// The article's books: the three its ListBooks streams, and "123", which
/// its grpcurl session fetches.
const SEED: [(&str, &str, &str); 4] = [
    ("1", "gRPC Fundamentals", "Jane Smith"),
    ("2", "Protobuf in Practice", "Alex Johnson"),
    ("3", "Streaming APIs", "Mia Chen"),
    ("123", "A Sample Book", "An Author"),
];

impl Store {
    fn new() -> Store {
        let books = SEED
            .into_iter()
            .map(|(id, title, author)| Book {
                id: id.into(),
                title: title.into(),
                author: author.into(),
            })
            .collect();
        Store { books: Mutex::new(books) }
    }

    fn books(&self) -> std::sync::MutexGuard<'_, Vec<Book>> {
        self.books.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, id: &str) -> Option<Book> {
        self.books().iter().find(|book| book.id == id).cloned()
    }

    /// Adds `book`, or replaces the book with its id where it stands.
    fn put(&self, book: Book) {
        let mut books = self.books();
        match books.iter_mut().find(|known| known.id == book.id) {
            Some(known) => *known = book,
            None => books.push(book),
        }
    }
}

/// The request's `x-` metadata, to echo back.
fn echoed(request: &Metadata) -> Metadata {
    let mut echo = Metadata::new();
    for (key, value) in request.iter().filter(|(k, _)| k.starts_with("x-")) {
        let _ = match value.as_str() {
            Some(text) => echo.append(key, text),
            None => echo.append_bin(key, value.as_bytes().to_vec()),
        };
    }
    echo
}

fn served_by() -> Metadata {
    let mut trailers = Metadata::new();
    let _ = trailers.insert("x-served-by", "oxgrpc-bookstore");
    trailers
}

async fn delay(request: &Metadata) {
    if let Some(ms) = request.get("x-delay-ms").and_then(|v| v.parse::<u64>().ok()) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

impl Bookstore for Store {
    async fn get_book(&self, request: Request<GetBookRequest>) -> Result<Response<Book>, Status> {
        delay(request.metadata()).await;
        let book =
            self.get(&request.get_ref().id).ok_or_else(|| Status::not_found("book not found"))?;
        let mut response = Response::new(book);
        *response.metadata_mut() = echoed(request.metadata());
        *response.trailers_mut() = served_by();
        Ok(response)
    }

    async fn list_books(
        &self,
        request: Request<()>,
        mut responses: ResponseSink<Book>,
    ) -> Result<(), Status> {
        responses.set_metadata(echoed(request.metadata()));
        responses.set_trailers(served_by());
        let books: Vec<Book> = self.books().clone();
        for book in books {
            delay(request.metadata()).await;
            responses.send(book).await?;
        }
        Ok(())
    }

    async fn add_books(
        &self,
        request: Request<Streaming<Book>>,
    ) -> Result<Response<BookList>, Status> {
        let echo = echoed(request.metadata());
        let mut incoming = request.into_inner();
        let mut added = Vec::new();
        while let Some(book) = incoming.message().await? {
            self.put(book.clone());
            added.push(book);
        }
        delay(&echo).await;
        let mut response = Response::new(BookList { books: added });
        *response.metadata_mut() = echo;
        *response.trailers_mut() = served_by();
        Ok(response)
    }

    async fn chat(
        &self,
        request: Request<Streaming<Book>>,
        mut responses: ResponseSink<Book>,
    ) -> Result<(), Status> {
        let metadata = request.metadata().clone();
        responses.set_metadata(echoed(&metadata));
        responses.set_trailers(served_by());
        let mut incoming = request.into_inner();
        while let Some(mut book) = incoming.message().await? {
            delay(&metadata).await;
            book.title.push_str(" - Received");
            responses.send(book).await?;
        }
        Ok(())
    }
}

/// Method name in, outcome out.
struct Logger;

impl Interceptor for Logger {
    fn on_finish<'a>(&'a self, call: &'a CallInfo, status: &'a mut Status) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if status.code() == oxgrpc::Code::Cancelled {
                eprintln!("cancelled: {}", call.method);
            } else {
                eprintln!("{} -> {}", call.method, status.code());
            }
        })
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    oxgrpc_examples::init_logging();
    let addr = oxgrpc_examples::addr_arg();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    let health = HealthReporter::new();
    health.set_serving("bookstore.Bookstore");
    oxgrpc_examples::flip_health_on_sigusr1(health.clone(), "bookstore.Bookstore");
    let reflection = oxgrpc_examples::reflection(oxgrpc_examples::bookstore::FILE_DESCRIPTOR_SET)?;
    Server::builder()
        .add_service(BookstoreServer::new(Store::new()))
        .add_service(health.service())
        .add_reflection(reflection)
        .interceptor(Logger)
        .serve_listener(
            listener,
            health.shutdown_on(oxgrpc_examples::shutdown_signal()),
            Duration::from_secs(5),
        )
        .await
}
