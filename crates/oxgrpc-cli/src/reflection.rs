//! A client of the server's reflection service: one bidi stream, one
//! question and one answer at a time; v1 first, then v1alpha for servers
//! that only have the older name.

use crate::error::{CliError, Missing};
use crate::raw::RawMessage;
use crate::target::CallOptions;
use futures_util::stream;
use oxgrpc::{Channel, Code, Status, Streaming};
use oxgrpc_reflection::pb::v1::server_reflection_request::MessageRequest;
use oxgrpc_reflection::pb::v1::server_reflection_response::MessageResponse;
use oxgrpc_reflection::pb::v1::{ServerReflectionRequest, ServerReflectionResponse};
use prost::Message as _;
use prost_reflect::DescriptorPool;
use prost_types::FileDescriptorProto;
use std::collections::{BTreeMap, HashSet};
use tokio::sync::mpsc;

/// The two names of the same protocol (the messages are identical on the
/// wire), newest first.
const PATHS: [&str; 2] = [
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// An open reflection stream, and the files it has fetched so far.
pub(crate) struct ReflectionClient {
    channel: Channel,
    options: CallOptions,
    open: Option<OpenStream>,
    version: usize,
    files: BTreeMap<String, FileDescriptorProto>,
}

struct OpenStream {
    questions: mpsc::UnboundedSender<RawMessage>,
    answers: Streaming<ServerReflectionResponse>,
}

impl ReflectionClient {
    /// A client on `channel`; the stream opens with the first question.
    pub(crate) fn new(channel: Channel, options: CallOptions) -> ReflectionClient {
        ReflectionClient { channel, options, open: None, version: 0, files: BTreeMap::new() }
    }

    /// The names of the server's services.
    pub(crate) async fn list_services(&mut self) -> Result<Vec<String>, CliError> {
        match self.ask(MessageRequest::ListServices(String::new())).await? {
            MessageResponse::ListServicesResponse(list) => {
                Ok(list.service.into_iter().map(|s| s.name).collect())
            }
            other => Err(unexpected(&other)),
        }
    }

    /// A pool with the file that defines `symbol` and all its imports.
    pub(crate) async fn pool_for_symbol(
        &mut self,
        symbol: &str,
    ) -> Result<DescriptorPool, CliError> {
        let answer = self.ask(MessageRequest::FileContainingSymbol(symbol.to_string())).await;
        let files = match answer {
            Ok(MessageResponse::FileDescriptorResponse(files)) => files.file_descriptor_proto,
            Ok(MessageResponse::ErrorResponse(error))
                if error.error_code == Code::NotFound as i32 =>
            {
                return Err(CliError::NotFound { what: Missing::Symbol, name: symbol.to_string() });
            }
            Ok(other) => return Err(unexpected(&other)),
            Err(e) => return Err(e),
        };
        let root = self.keep(files)?;
        self.fetch_missing_imports().await?;
        let mut pool = DescriptorPool::new();
        pool.add_file_descriptor_protos(self.closure(&root))?;
        Ok(pool)
    }

    /// Decodes and remembers `files`; returns the first one's name.
    fn keep(&mut self, files: Vec<Vec<u8>>) -> Result<String, CliError> {
        let mut first = None;
        for bytes in files {
            let file = FileDescriptorProto::decode(bytes.as_slice()).map_err(|e| {
                CliError::Reflection(Status::internal(format!("undecodable file descriptor: {e}")))
            })?;
            let name = file.name().to_string();
            first.get_or_insert_with(|| name.clone());
            self.files.entry(name).or_insert(file);
        }
        first.ok_or_else(|| CliError::Reflection(Status::internal("empty file descriptor answer")))
    }

    /// Asks by file name for every import no answer has carried yet (a
    /// server may send only the file itself).
    async fn fetch_missing_imports(&mut self) -> Result<(), CliError> {
        loop {
            let missing: Vec<String> = self
                .files
                .values()
                .flat_map(|f| f.dependency.iter())
                .filter(|d| !self.files.contains_key(*d))
                .cloned()
                .collect();
            let Some(name) = missing.into_iter().next() else { return Ok(()) };
            match self.ask(MessageRequest::FileByFilename(name.clone())).await? {
                MessageResponse::FileDescriptorResponse(files) => {
                    self.keep(files.file_descriptor_proto)?;
                }
                MessageResponse::ErrorResponse(_) => {
                    return Err(CliError::NotFound { what: Missing::File, name });
                }
                other => return Err(unexpected(&other)),
            }
            if !self.files.contains_key(&name) {
                return Err(CliError::NotFound { what: Missing::File, name });
            }
        }
    }

    /// `root` and everything it imports, transitively.
    fn closure(&self, root: &str) -> Vec<FileDescriptorProto> {
        let mut seen = HashSet::new();
        let mut pending = vec![root.to_string()];
        let mut out = Vec::new();
        while let Some(name) = pending.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(file) = self.files.get(&name) {
                pending.extend(file.dependency.iter().cloned());
                out.push(file.clone());
            }
        }
        out
    }

    /// Sends one question and waits for its answer, opening the stream
    /// (v1, else v1alpha) if need be.
    async fn ask(&mut self, question: MessageRequest) -> Result<MessageResponse, CliError> {
        loop {
            let result = self.ask_once(question.clone()).await;
            match result {
                Err(status)
                    if status.code() == Code::Unimplemented && self.version + 1 < PATHS.len() =>
                {
                    self.version += 1;
                    self.open = None;
                }
                Err(status) => return Err(CliError::Reflection(status)),
                Ok(answer) => return Ok(answer),
            }
        }
    }

    async fn ask_once(&mut self, question: MessageRequest) -> Result<MessageResponse, Status> {
        let question =
            ServerReflectionRequest { host: String::new(), message_request: Some(question) };
        let question = RawMessage(question.encode_to_vec().into());
        let open = match self.open.as_mut() {
            Some(open) => {
                if open.questions.send(question).is_err() {
                    self.open = None;
                    return Err(Status::unavailable("the reflection stream closed"));
                }
                open
            }
            None => {
                // The question goes in before the call starts: a server may
                // send no headers until it has something to answer.
                let (questions, receiver) = mpsc::unbounded_channel::<RawMessage>();
                let _ = questions.send(question);
                let requests =
                    stream::unfold(receiver, |mut r| async move { r.recv().await.map(|m| (m, r)) });
                // Reflection is a conversation, not one call: no deadline.
                let request = self.options.without_timeout().request(requests);
                let call = self.channel.bidi_streaming(PATHS[self.version], request).await?;
                self.open.insert(OpenStream { questions, answers: call.into_inner() })
            }
        };
        let answer = open.answers.message().await;
        match answer {
            Ok(Some(answer)) => answer
                .message_response
                .ok_or_else(|| Status::internal("reflection answer without a response")),
            Ok(None) => {
                self.open = None;
                Err(Status::unavailable("the server ended the reflection stream"))
            }
            Err(status) => {
                self.open = None;
                Err(status)
            }
        }
    }
}

fn unexpected(answer: &MessageResponse) -> CliError {
    let what = match answer {
        MessageResponse::ErrorResponse(e) => {
            return CliError::Reflection(Status::new(
                Code::from_i32(e.error_code),
                e.error_message.clone(),
            ));
        }
        MessageResponse::FileDescriptorResponse(_) => "file descriptors",
        MessageResponse::AllExtensionNumbersResponse(_) => "extension numbers",
        MessageResponse::ListServicesResponse(_) => "a service list",
    };
    CliError::Reflection(Status::internal(format!("unexpected reflection answer: {what}")))
}
