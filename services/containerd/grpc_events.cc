// ContainerGrpcService's Events: the supervisor's event log as a stream.
#include "common/event_stream.h"
#include "services/containerd/grpc_service.h"

namespace berth::containerd {

grpc::Status ContainerGrpcService::Events(
    grpc::ServerContext* context, const container::v1::EventsRequest* request,
    grpc::ServerWriter<container::v1::EventsResponse>* writer) {
  return ServeEvents(supervisor_->events(), context, *request, writer);
}

}  // namespace berth::containerd
