// Ids of stored objects (containers, networks, endpoints): 64 random
// lower-case hex characters, as Docker's.
#ifndef BERTH_COMMON_RANDOM_ID_H_
#define BERTH_COMMON_RANDOM_ID_H_

#include <string>

namespace berth {

// 64 hex characters from /dev/urandom; the 12-character short form is never
// all digits (it would read like a number).
std::string NewObjectId();

}  // namespace berth

#endif  // BERTH_COMMON_RANDOM_ID_H_
