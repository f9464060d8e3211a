//! Makes one call of each kind against a bookstore server and prints them,
//! then asks its health service and lists its services by reflection:
//! `bookstore-client [--addr HOST:PORT]`.

use futures_util::stream;
use oxgrpc::{Code, Request};
use oxgrpc_examples::bookstore::bookstore_client::BookstoreClient;
use oxgrpc_examples::bookstore::{Book, GetBookRequest};
use oxgrpc_health::pb::{HealthCheckRequest, health_client::HealthClient};
use oxgrpc_reflection::pb::v1alpha::ServerReflectionRequest;
use oxgrpc_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient;
use oxgrpc_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
use oxgrpc_reflection::pb::v1alpha::server_reflection_response::MessageResponse;

fn show(book: &Book) -> String {
    format!("#{} {:?} by {}", book.id, book.title, book.author)
}

fn book(id: &str, title: &str, author: &str) -> Book {
    Book { id: id.into(), title: title.into(), author: author.into() }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), oxgrpc::Status> {
    let addr = oxgrpc_examples::addr_arg();
    let client = BookstoreClient::connect(&format!("http://{addr}")).await?;

    println!("== GetBook (unary)");
    let mut request = Request::new(GetBookRequest { id: "1".into() });
    request
        .metadata_mut()
        .insert("x-client", "oxgrpc-bookstore-client")
        .map_err(|e| oxgrpc::Status::internal(e.to_string()))?;
    let response = client.get_book(request).await?;
    println!("  {}", show(response.get_ref()));
    let response = client.get_book(GetBookRequest { id: "123".into() }).await?;
    println!("  {}", show(response.get_ref()));
    match client.get_book(GetBookRequest { id: "404".into() }).await {
        Err(status) if status.code() == Code::NotFound => println!("  id 404: {status}"),
        other => {
            return Err(oxgrpc::Status::internal(format!("expected NOT_FOUND, got {other:?}")));
        }
    }

    println!("== ListBooks (server streaming)");
    let mut books = client.list_books(()).await?.into_inner();
    while let Some(book) = books.message().await? {
        println!("  {}", show(&book));
    }

    println!("== AddBooks (client streaming)");
    let new_books = vec![
        book("4", "Rust for Rustaceans", "Jon Gjengset"),
        book("5", "Rust Atomics and Locks", "Mara Bos"),
    ];
    let added = client.add_books(stream::iter(new_books)).await?.into_inner();
    println!(
        "  added {} books: {}",
        added.books.len(),
        added.books.iter().map(show).collect::<Vec<_>>().join(", ")
    );

    println!("== Chat (bidirectional streaming)");
    let outgoing =
        vec![book("1", "Draft Book", "Jane Smith"), book("2", "Another Draft", "Alex Johnson")];
    let mut replies = client.chat(stream::iter(outgoing)).await?.into_inner();
    while let Some(book) = replies.message().await? {
        println!("  {}", show(&book));
    }

    println!("== Health Check (grpc.health.v1)");
    let health = HealthClient::new(client.channel().clone());
    for service in ["", "bookstore.Bookstore"] {
        let reply = health.check(HealthCheckRequest { service: service.into() }).await?;
        println!("  {service:?}: {}", reply.get_ref().status().as_str_name());
    }

    println!("== Reflection: list services (grpc.reflection.v1alpha)");
    let reflection = ServerReflectionClient::new(client.channel().clone());
    let ask = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let answers = reflection.server_reflection_info(stream::iter([ask])).await?;
    for answer in answers.into_inner().collect_all().await? {
        if let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response {
            for service in list.service {
                println!("  {}", service.name);
            }
        }
    }
    Ok(())
}
