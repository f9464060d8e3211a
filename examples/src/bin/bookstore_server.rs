//! The bookstore server: books in memory, one method of each kind.
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
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

struct Store {
    books: Mutex<BTreeMap<i32, Book>>,
}

impl Store {
    fn new() -> Store {
        let books = [
            (1, "The Rust Programming Language", "Steve Klabnik and Carol Nichols"),
            (2, "Programming Rust", "Jim Blandy and Jason Orendorff"),
            (3, "Zero To Production In Rust", "Luca Palmieri"),
        ];
        let books = books
            .into_iter()
            .map(|(id, title, author)| {
                (id, Book { id, title: title.into(), author: author.into() })
            })
            .collect();
        Store { books: Mutex::new(books) }
    }

    fn books(&self) -> std::sync::MutexGuard<'_, BTreeMap<i32, Book>> {
        self.books.lock().unwrap_or_else(|p| p.into_inner())
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
        let id = request.get_ref().id;
        let book =
            self.books().get(&id).cloned().ok_or_else(|| Status::not_found("book not found"))?;
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
        let books: Vec<Book> = self.books().values().cloned().collect();
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
            self.books().insert(book.id, book.clone());
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
    Server::builder()
        .add_service(BookstoreServer::new(Store::new()))
        .interceptor(Logger)
        .serve_listener(listener, oxgrpc_examples::shutdown_signal(), Duration::from_secs(5))
        .await
}
