//! [`HealthService`]: `Check`, `Watch` and `List` over a reporter's
//! statuses (grpc's doc/health-checking.md and gRFC A90).

use oxgrpc::{Request, Response, ResponseSink, Status};

use crate::ServingStatus;
use crate::pb::health_server::Health;
use crate::pb::{HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse};
use crate::reporter::HealthReporter;

/// `List` fails with RESOURCE_EXHAUSTED past this many services (`""`
/// included), as grpc-go does for gRFC A90.
pub const MAX_LISTED_SERVICES: usize = 100;

/// The `grpc.health.v1.Health` implementation, made by
/// [`HealthReporter::service`].
///
/// - `Check`: the service's status; NOT_FOUND for a service never set (or
///   cleared).
/// - `Watch`: the current status at once (SERVICE_UNKNOWN for an unknown
///   service, and the call stays open), then every change, in order.
/// - `List`: every known service with its status; RESOURCE_EXHAUSTED past
///   [`MAX_LISTED_SERVICES`].
#[derive(Debug)]
pub struct HealthService {
    reporter: HealthReporter,
}

impl HealthService {
    pub(crate) fn new(reporter: HealthReporter) -> Self {
        HealthService { reporter }
    }
}

fn response(status: ServingStatus) -> HealthCheckResponse {
    HealthCheckResponse { status: status.into() }
}

impl Health for HealthService {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        let service = &request.get_ref().service;
        match self.reporter.status(service) {
            Some(status) => Ok(Response::new(response(status))),
            None => Err(Status::not_found(format!("unknown service {service:?}"))),
        }
    }

    async fn list(
        &self,
        _request: Request<HealthListRequest>,
    ) -> Result<Response<HealthListResponse>, Status> {
        let statuses = self.reporter.statuses();
        if statuses.len() > MAX_LISTED_SERVICES {
            return Err(Status::resource_exhausted(format!(
                "server health list exceeds maximum capacity: {MAX_LISTED_SERVICES}"
            )));
        }
        let statuses =
            statuses.into_iter().map(|(service, status)| (service, response(status))).collect();
        Ok(Response::new(HealthListResponse { statuses }))
    }

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
        mut responses: ResponseSink<HealthCheckResponse>,
    ) -> Result<(), Status> {
        let watch = self.reporter.watch(&request.get_ref().service);
        while let Some(status) = watch.next().await {
            responses.send(response(status)).await?;
        }
        Ok(())
    }
}
