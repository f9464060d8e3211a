//! Server reflection over a real connection, through the generated
//! clients: every kind of question, transitive imports, errors inside the
//! stream, and v1alpha.

use std::time::Duration;

use futures_util::stream;
use oxgrpc::{Server, Streaming};
use oxgrpc_reflection::ServerBuilderExt as _;
use oxgrpc_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use oxgrpc_reflection::pb::v1::server_reflection_request::MessageRequest;
use oxgrpc_reflection::pb::v1::server_reflection_response::MessageResponse;
use oxgrpc_reflection::pb::v1::{
    ExtensionRequest, ServerReflectionRequest, ServerReflectionResponse,
};
use oxgrpc_reflection::pb::v1alpha;
use prost::Message as _;
use prost_types::{FileDescriptorProto, FileDescriptorSet};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(5);
const NOT_FOUND: i32 = 5;
const INVALID_ARGUMENT: i32 = 3;

/// The test protos, compiled with their imports, as oxgrpc-build would.
fn shop_set() -> FileDescriptorSet {
    let protos = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/protos");
    let mut compiler = protox::Compiler::new([protos]).expect("include path");
    compiler.include_imports(true).include_source_info(true);
    compiler.open_file("shop/shop.proto").expect("shop.proto compiles");
    compiler.file_descriptor_set()
}

/// Serves reflection (both versions) over the shop protos and health's.
async fn serve() -> String {
    let reflection = oxgrpc_reflection::Builder::new()
        .register_file_descriptor_set(shop_set())
        .register_encoded_file_descriptor_set(oxgrpc_health::FILE_DESCRIPTOR_SET)
        .build()
        .expect("reflection builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let builder = Server::builder().add_reflection(reflection);
    tokio::spawn(builder.serve_listener(listener, std::future::pending(), Duration::ZERO));
    format!("http://{addr}")
}

/// One open `ServerReflectionInfo` stream: one question, one answer.
struct Session {
    questions: mpsc::UnboundedSender<ServerReflectionRequest>,
    answers: Streaming<ServerReflectionResponse>,
}

impl Session {
    /// Opens the stream with `first` already asked: the server's response
    /// headers go out with its first answer, and the call returns once they
    /// arrive.
    async fn open(uri: &str, first: Option<MessageRequest>) -> (Session, ServerReflectionResponse) {
        let client = ServerReflectionClient::connect(uri).await.expect("connect");
        let (questions, rx) = mpsc::unbounded_channel();
        let request = question(first);
        questions.send(request.clone()).expect("channel open");
        let outgoing = stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) });
        let call = client.server_reflection_info(outgoing);
        let answers = tokio::time::timeout(WAIT, call).await.expect("in time").expect("stream");
        let mut session = Session { questions, answers: answers.into_inner() };
        let answer = session.answer(&request).await;
        (session, answer)
    }

    async fn ask(&mut self, question: Option<MessageRequest>) -> ServerReflectionResponse {
        let request = self::question(question);
        self.questions.send(request.clone()).expect("stream open");
        self.answer(&request).await
    }

    async fn answer(&mut self, request: &ServerReflectionRequest) -> ServerReflectionResponse {
        let answer = tokio::time::timeout(WAIT, self.answers.message()).await.expect("in time");
        let answer = answer.expect("stream ok").expect("one answer per question");
        assert_eq!(answer.original_request.as_ref(), Some(request));
        assert_eq!(answer.valid_host, "localhost");
        answer
    }

    /// The names of the files answered, in order.
    async fn files(&mut self, question: MessageRequest) -> Vec<String> {
        match self.ask(Some(question.clone())).await.message_response {
            Some(MessageResponse::FileDescriptorResponse(files)) => {
                file_names(files.file_descriptor_proto.iter().map(|bytes| decode(bytes)).collect())
            }
            other => panic!("{question:?}: expected files, got {other:?}"),
        }
    }

    async fn error_code(&mut self, question: Option<MessageRequest>) -> i32 {
        match self.ask(question.clone()).await.message_response {
            Some(MessageResponse::ErrorResponse(error)) => {
                assert!(!error.error_message.is_empty());
                error.error_code
            }
            other => panic!("{question:?}: expected an error, got {other:?}"),
        }
    }
}

fn question(message_request: Option<MessageRequest>) -> ServerReflectionRequest {
    ServerReflectionRequest { host: "localhost".into(), message_request }
}

fn list_services() -> Option<MessageRequest> {
    Some(MessageRequest::ListServices(String::new()))
}

fn decode(bytes: &[u8]) -> FileDescriptorProto {
    FileDescriptorProto::decode(bytes).expect("a FileDescriptorProto")
}

fn file_names(files: Vec<FileDescriptorProto>) -> Vec<String> {
    files.into_iter().map(|file| file.name().to_owned()).collect()
}

fn symbol(name: &str) -> MessageRequest {
    MessageRequest::FileContainingSymbol(name.to_owned())
}

fn extension(containing_type: &str, extension_number: i32) -> MessageRequest {
    MessageRequest::FileContainingExtension(ExtensionRequest {
        containing_type: containing_type.to_owned(),
        extension_number,
    })
}

#[tokio::test]
async fn lists_the_registered_services_and_itself() {
    let (_session, answer) = Session::open(&serve().await, list_services()).await;
    let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response else {
        panic!("expected a service list, got {answer:?}");
    };
    let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
            "shop.v1.Shop",
        ]
    );
}

#[tokio::test]
async fn a_file_comes_with_all_its_imports_each_once() {
    let (mut session, _) = Session::open(&serve().await, list_services()).await;
    let shop =
        ["shop/shop.proto", "google/protobuf/empty.proto", "shop/common.proto", "shop/ext.proto"];
    assert_eq!(session.files(MessageRequest::FileByFilename("shop/shop.proto".into())).await, shop);
    assert_eq!(
        session.files(MessageRequest::FileByFilename("shop/ext.proto".into())).await,
        ["shop/ext.proto", "shop/common.proto"]
    );
    assert_eq!(
        session.files(MessageRequest::FileByFilename("grpc/health/v1/health.proto".into())).await,
        ["grpc/health/v1/health.proto"]
    );
}

#[tokio::test]
async fn the_answered_descriptors_are_the_registered_ones() {
    let (mut session, _) = Session::open(&serve().await, list_services()).await;
    let answer = session.ask(Some(MessageRequest::FileByFilename("shop/shop.proto".into()))).await;
    let Some(MessageResponse::FileDescriptorResponse(files)) = answer.message_response else {
        panic!("expected files, got {answer:?}");
    };
    let shop = decode(&files.file_descriptor_proto[0]);
    let registered = shop_set().file.into_iter().find(|f| f.name() == "shop/shop.proto");
    assert_eq!(Some(&shop), registered.as_ref());
    let services: Vec<&str> = shop.service.iter().map(|s| s.name()).collect();
    assert_eq!(services, ["Shop"]);
}

#[tokio::test]
async fn every_kind_of_symbol_finds_its_file() {
    let (mut session, _) = Session::open(&serve().await, list_services()).await;
    for (name, file) in [
        ("shop.v1.Shop", "shop/shop.proto"),
        ("shop.v1.Shop.Get", "shop/shop.proto"),
        ("shop.v1.Item", "shop/shop.proto"),
        ("shop.v1.Item.Detail", "shop/shop.proto"),
        ("shop.v1.Item.Detail.Kind", "shop/shop.proto"),
        ("shop.v1.Item.Detail.BIG", "shop/shop.proto"),
        ("shop.v1.Item.name", "shop/shop.proto"),
        ("shop.v1.Item.price", "shop/shop.proto"),
        ("shop.common.Base", "shop/common.proto"),
        ("shop.common.Color", "shop/common.proto"),
        ("shop.common.RED", "shop/common.proto"),
        ("shop.ext.note", "shop/ext.proto"),
        ("shop.ext.Holder.rank", "shop/ext.proto"),
        ("google.protobuf.Empty", "google/protobuf/empty.proto"),
        ("grpc.health.v1.Health.Watch", "grpc/health/v1/health.proto"),
        ("grpc.reflection.v1.ServerReflection", "grpc/reflection/v1/reflection.proto"),
    ] {
        let files = session.files(symbol(name)).await;
        assert_eq!(files.first().map(String::as_str), Some(file), "{name}");
    }
}

#[tokio::test]
async fn extensions_by_number_and_all_numbers_of_a_type() {
    let (mut session, _) = Session::open(&serve().await, list_services()).await;
    for number in [100, 150] {
        let files = session.files(extension("shop.common.Base", number)).await;
        assert_eq!(files, ["shop/ext.proto", "shop/common.proto"], "extension {number}");
    }
    assert_eq!(session.error_code(Some(extension("shop.common.Base", 101))).await, NOT_FOUND);
    assert_eq!(session.error_code(Some(extension("shop.Nope", 100))).await, NOT_FOUND);

    let question = MessageRequest::AllExtensionNumbersOfType("shop.common.Base".into());
    let answer = session.ask(Some(question)).await;
    let Some(MessageResponse::AllExtensionNumbersResponse(numbers)) = answer.message_response
    else {
        panic!("expected extension numbers, got {answer:?}");
    };
    assert_eq!(numbers.base_type_name, "shop.common.Base");
    assert_eq!(numbers.extension_number, [100, 150]);

    let question = MessageRequest::AllExtensionNumbersOfType("shop.v1.Item".into());
    let answer = session.ask(Some(question)).await;
    let Some(MessageResponse::AllExtensionNumbersResponse(numbers)) = answer.message_response
    else {
        panic!("expected extension numbers, got {answer:?}");
    };
    assert!(numbers.extension_number.is_empty());
    let question = MessageRequest::AllExtensionNumbersOfType("shop.v1.Shop".into());
    assert_eq!(session.error_code(Some(question)).await, NOT_FOUND);
}

#[tokio::test]
async fn not_found_is_an_answer_and_the_stream_goes_on() {
    let (mut session, _) = Session::open(&serve().await, list_services()).await;
    assert_eq!(session.error_code(Some(symbol("shop.v1.Nope"))).await, NOT_FOUND);
    let missing = MessageRequest::FileByFilename("nope.proto".into());
    assert_eq!(session.error_code(Some(missing)).await, NOT_FOUND);
    assert_eq!(session.error_code(None).await, INVALID_ARGUMENT);
    let files = session.files(symbol("shop.v1.Item")).await;
    assert_eq!(files.first().map(String::as_str), Some("shop/shop.proto"));
    drop(session.questions);
    let end = tokio::time::timeout(WAIT, session.answers.message()).await.expect("in time");
    assert!(end.expect("ends with OK").is_none());
}

#[tokio::test]
async fn v1alpha_answers_the_same() {
    let uri = serve().await;
    let client = v1alpha::server_reflection_client::ServerReflectionClient::connect(&uri)
        .await
        .expect("connect");
    use v1alpha::server_reflection_request::MessageRequest as Ask;
    use v1alpha::server_reflection_response::MessageResponse as Answer;
    let ask = |question| v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(question),
    };
    let questions = vec![
        ask(Ask::ListServices(String::new())),
        ask(Ask::FileContainingSymbol("shop.v1.Shop".into())),
        ask(Ask::FileByFilename("nope.proto".into())),
    ];
    let answers = client.server_reflection_info(stream::iter(questions)).await.expect("stream");
    let answers = answers.into_inner().collect_all().await.expect("answers");
    assert_eq!(answers.len(), 3);
    let Some(Answer::ListServicesResponse(list)) = &answers[0].message_response else {
        panic!("expected a list, got {:?}", answers[0]);
    };
    assert!(list.service.iter().any(|s| s.name == "grpc.reflection.v1alpha.ServerReflection"));
    let Some(Answer::FileDescriptorResponse(files)) = &answers[1].message_response else {
        panic!("expected files, got {:?}", answers[1]);
    };
    let names = file_names(files.file_descriptor_proto.iter().map(|b| decode(b)).collect());
    assert_eq!(names[0], "shop/shop.proto");
    assert_eq!(names.len(), 4);
    let Some(Answer::ErrorResponse(error)) = &answers[2].message_response else {
        panic!("expected an error, got {:?}", answers[2]);
    };
    assert_eq!(error.error_code, NOT_FOUND);
}

#[test]
fn a_missing_import_or_a_conflicting_file_is_an_error() {
    let mut set = shop_set();
    set.file.retain(|file| file.name() != "shop/common.proto");
    let err = oxgrpc_reflection::Builder::new().register_file_descriptor_set(set).build_v1();
    let Err(oxgrpc_reflection::Error::MissingDependency { file, dependency }) = err else {
        panic!("expected a missing dependency, got {err:?}");
    };
    assert!(file == "shop/shop.proto" || file == "shop/ext.proto", "{file}");
    assert_eq!(dependency, "shop/common.proto");

    let mut other = shop_set();
    for file in &mut other.file {
        if file.name() == "shop/common.proto" {
            file.package = Some("elsewhere".into());
        }
    }
    let err = oxgrpc_reflection::Builder::new()
        .register_file_descriptor_set(shop_set())
        .register_file_descriptor_set(other)
        .build_v1alpha();
    assert!(
        matches!(&err, Err(oxgrpc_reflection::Error::ConflictingFile { name }) if name == "shop/common.proto"),
        "{err:?}"
    );

    // The same set twice is fine (a package's imports are in many sets).
    let twice = oxgrpc_reflection::Builder::new()
        .register_file_descriptor_set(shop_set())
        .register_file_descriptor_set(shop_set())
        .build();
    assert!(twice.is_ok());
}
