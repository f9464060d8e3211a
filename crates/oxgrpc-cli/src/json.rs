//! proto3 JSON in and out, through descriptors known at run time.

use crate::error::CliError;
use crate::raw::RawMessage;
use prost::Message as _;
use prost_reflect::{DeserializeOptions, DynamicMessage, MessageDescriptor, SerializeOptions};
use std::io::{Read, Write};

/// Every JSON message in `text`, one after another, as encoded requests.
pub(crate) fn parse_all(desc: &MessageDescriptor, text: &str) -> Result<Vec<RawMessage>, CliError> {
    let mut messages = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        messages.push(encode(desc, value.map_err(CliError::RequestData)?)?);
    }
    Ok(messages)
}

/// One JSON value as an encoded message of type `desc`.
fn encode(desc: &MessageDescriptor, value: serde_json::Value) -> Result<RawMessage, CliError> {
    let message =
        DynamicMessage::deserialize_with_options(desc.clone(), value, &DeserializeOptions::new())
            .map_err(CliError::RequestData)?;
    Ok(RawMessage(message.encode_to_vec().into()))
}

/// Reads JSON messages from `input` on this (blocking) thread and sends
/// each as soon as it is complete; a parse error is sent last.
pub(crate) fn stream_from(
    desc: MessageDescriptor,
    input: impl Read,
    out: &tokio::sync::mpsc::UnboundedSender<Result<RawMessage, CliError>>,
) {
    let input = std::io::BufReader::new(input);
    for value in serde_json::Deserializer::from_reader(input).into_iter::<serde_json::Value>() {
        let message = value.map_err(CliError::RequestData).and_then(|v| encode(&desc, v));
        let failed = message.is_err();
        if out.send(message).is_err() || failed {
            return;
        }
    }
}

/// Prints messages of one type as indented JSON, one after another.
pub(crate) struct Printer {
    desc: MessageDescriptor,
    options: SerializeOptions,
}

impl Printer {
    /// A printer for `desc`; `emit_defaults` prints fields at their default.
    pub(crate) fn new(desc: MessageDescriptor, emit_defaults: bool) -> Printer {
        Printer { desc, options: SerializeOptions::new().skip_default_fields(!emit_defaults) }
    }

    /// The JSON text of one encoded message.
    pub(crate) fn format(&self, message: &RawMessage) -> Result<String, CliError> {
        let decoded =
            DynamicMessage::decode(self.desc.clone(), message.0.clone()).map_err(|e| {
                CliError::Rpc(oxgrpc::Status::internal(format!(
                    "the response is not a valid {}: {e}",
                    self.desc.full_name()
                )))
            })?;
        let mut out = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"  ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        decoded
            .serialize_with_options(&mut serializer, &self.options)
            .map_err(|e| CliError::Io(std::io::Error::other(e)))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Prints one message to stdout and flushes, so streams show as they come.
    pub(crate) fn print(&self, message: &RawMessage) -> Result<(), CliError> {
        let text = self.format(message)?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}")?;
        stdout.flush()?;
        Ok(())
    }
}
