#include "common/grpc_status.h"

#include "common/status_macros.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

TEST(GrpcStatusTest, OkMapsToOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, EveryCodeRoundTripsWithItsMessage) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status status(static_cast<absl::StatusCode>(code), "why it failed");
    grpc::Status wire = ToGrpcStatus(status);
    EXPECT_EQ(static_cast<int>(wire.error_code()), code);
    EXPECT_EQ(wire.error_message(), "why it failed");
    EXPECT_EQ(FromGrpcStatus(wire), status);
  }
}

TEST(GrpcStatusTest, NamedCodesMatch) {
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("x")).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("x")).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpcStatus(absl::AlreadyExistsError("x")).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ToGrpcStatus(absl::InvalidArgumentError("x")).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(StatusMacrosTest, ErrnoStatusCarriesOperationPathAndCode) {
  absl::Status status = ErrnoStatus(ENOENT, "open", "/no/such");
  EXPECT_TRUE(absl::IsNotFound(status));
  EXPECT_NE(status.message().find("open /no/such"), std::string::npos);
  EXPECT_TRUE(absl::IsPermissionDenied(ErrnoStatus(EACCES, "mount", "/x")));
}

TEST(StatusMacrosTest, AnnotateKeepsCodeAndPrefixesContext) {
  absl::Status status = Annotate(absl::NotFoundError("inner"), "outer");
  EXPECT_TRUE(absl::IsNotFound(status));
  EXPECT_EQ(status.message(), "outer: inner");
  EXPECT_TRUE(Annotate(absl::OkStatus(), "outer").ok());
}

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return absl::InvalidArgumentError("odd");
  return n / 2;
}

absl::StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusMacrosTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_TRUE(absl::IsInvalidArgument(Quarter(6).status()));
}

}  // namespace
}  // namespace berth
