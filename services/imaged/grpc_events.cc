// ImageGrpcService's Events: the image store's event log as a stream.
#include "common/event_stream.h"
#include "services/imaged/grpc_service.h"

namespace berth::imaged {

grpc::Status ImageGrpcService::Events(
    grpc::ServerContext* context, const image::v1::EventsRequest* request,
    grpc::ServerWriter<image::v1::EventsResponse>* writer) {
  return ServeEvents(store_->events(), context, *request, writer);
}

}  // namespace berth::imaged
