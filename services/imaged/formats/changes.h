// Dockerfile instructions applied to an image config: `berth import
// --change` and `berth commit --change`, as Docker applies them.
//
// Conversion only: no I/O, thread-compatible, no exceptions escape.
#ifndef BERTH_SERVICES_IMAGED_FORMATS_CHANGES_H_
#define BERTH_SERVICES_IMAGED_FORMATS_CHANGES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "berth/image/v1/image_types.pb.h"

namespace berth::imaged::formats {

// Applies `changes` to `config` in order, as Docker does for `docker import
// --change` / `docker commit --change`. Each change is one instruction (or
// several on lines of their own; a trailing backslash continues a line, '#'
// starts a comment line). Keywords are case-insensitive:
//
//   CMD ["/bin/sh"]           exec form: the JSON array as is
//   CMD echo hi               shell form: config's Shell (default
//                             ["/bin/sh", "-c"]) + ["echo hi"]
//   ENTRYPOINT ...            the same forms; also clears Cmd unless a CMD
//                             came earlier in the same call (Docker's rule)
//   ENV A=1 B="x y"           sets or replaces; legacy `ENV A 1 2` sets A to
//                             "1 2"
//   EXPOSE 80 53/udp 8000-8001/tcp   adds ports ("/tcp" by default)
//   LABEL k=v "a b"="c"       sets labels (legacy `LABEL k v` too)
//   USER u[:g]
//   VOLUME ["/a"] | VOLUME /a /b     adds volumes
//   WORKDIR /x                a relative path resolves against the current
//                             working dir; the result is cleaned
//   ONBUILD <instruction>     appends the trigger as written (not ONBUILD,
//                             FROM or MAINTAINER)
//   STOPSIGNAL SIGQUIT        a signal name (with or without SIG) or number
//   HEALTHCHECK NONE
//   HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D]
//               [--start-interval=D] [--retries=N] CMD <exec or shell form>
//                             replaces the healthcheck; durations in Go's
//                             syntax ("30s", "1m30s"), 0 or at least 1ms
//   SHELL ["/bin/bash", "-c"] exec form only
//
// ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR arguments have
// their quotes removed and $VAR / ${VAR} / ${VAR:-default} expanded from the
// config's Env, as in a Dockerfile. ExposedPorts and Volumes stay sorted.
//
// Differences from Docker, on purpose: an argument that starts with '[' but
// is not a JSON array of strings is an error (Docker silently falls back to
// the shell form), and SHELL is accepted as a change.
//
// Errors are INVALID_ARGUMENT and name the change, e.g.
//   invalid change "RUN x": RUN is not a valid change command (valid: CMD,
//   ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR,
//   STOPSIGNAL, HEALTHCHECK, SHELL)
// for other instructions (RUN, FROM, COPY, unknown words), a missing or
// malformed argument, or an empty change. On error `config` is unchanged.
absl::Status ApplyChanges(const std::vector<std::string>& changes,
                          image::v1::ImageConfig* config);

}  // namespace berth::imaged::formats

#endif  // BERTH_SERVICES_IMAGED_FORMATS_CHANGES_H_
