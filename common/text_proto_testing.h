// Tests write expected and sample messages in protobuf text format; a text
// that does not parse fails the test where it is used.
#ifndef BERTH_COMMON_TEXT_PROTO_TESTING_H_
#define BERTH_COMMON_TEXT_PROTO_TESTING_H_

#include <string>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace berth::testing {

template <typename Message>
Message ParseTextProto(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

}  // namespace berth::testing

#endif  // BERTH_COMMON_TEXT_PROTO_TESTING_H_
