// Where Berth keeps its state, sockets and config unless told otherwise;
// shared by the daemons' config and the CLI (which links no config parser).
#ifndef BERTH_COMMON_DEFAULT_PATHS_H_
#define BERTH_COMMON_DEFAULT_PATHS_H_

namespace berth {

inline constexpr char kDefaultConfigPath[] = "/etc/berth/config.json";
inline constexpr char kDefaultRoot[] = "/var/lib/berth";
inline constexpr char kDefaultRunRoot[] = "/run/berth";

}  // namespace berth

#endif  // BERTH_COMMON_DEFAULT_PATHS_H_
