// Serves an EventLog over a gRPC server stream: what every service's
// Events call does, whatever its EventsResponse type (each has `event`).
#ifndef BERTH_COMMON_EVENT_STREAM_H_
#define BERTH_COMMON_EVENT_STREAM_H_

#include "common/event_log.h"
#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"

namespace berth {

template <typename Request, typename Response>
grpc::Status ServeEvents(EventLog& log, grpc::ServerContext* context,
                         const Request& request,
                         grpc::ServerWriter<Response>* writer) {
  // Headers go out at once: a client waiting for the first event must know
  // the stream is up (e2e tests start a command only after that).
  writer->SendInitialMetadata();
  absl::Status status = log.Stream(
      request.filter(),
      [writer](const types::v1::Event& event) {
        Response response;
        *response.mutable_event() = event;
        return writer->Write(response);
      },
      [context] { return context->IsCancelled(); });
  return ToGrpcStatus(status);
}

}  // namespace berth

#endif  // BERTH_COMMON_EVENT_STREAM_H_
