#include "services/containerd/cgroups/device_filter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace berth::containerd::cgroups {
namespace {

// The few instruction shapes the program needs (the kernel's own macros
// live in tools/, not in the uapi headers).
bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn insn;
  std::memset(&insn, 0, sizeof(insn));
  insn.code = code;
  insn.dst_reg = dst;
  insn.src_reg = src;
  insn.off = off;
  insn.imm = imm;
  return insn;
}
bpf_insn LoadWord(uint8_t dst, int16_t offset) {
  return Insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, offset, 0);
}
bpf_insn Alu32(uint8_t op, uint8_t dst, int32_t imm) {
  return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn Mov32Reg(uint8_t dst, uint8_t src) {
  return Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn JumpIfNot(uint8_t reg, int32_t imm) {  // offset patched later
  return Insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm);
}
bpf_insn Return(int32_t value) { return Insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, value); }
bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

long Bpf(int command, bpf_attr* attr) {
  return syscall(SYS_bpf, command, attr, sizeof(*attr));
}

}  // namespace

absl::StatusOr<DeviceRule> ParseDeviceRule(absl::string_view text) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(text, ' ', absl::SkipEmpty());
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("device rule \"", text, "\": ", why));
  };
  if (parts.empty() || parts[0].size() != 1 ||
      std::string("abc").find(parts[0][0]) == std::string::npos) {
    return bad("the type must be a, b or c");
  }
  DeviceRule rule;
  rule.type = parts[0][0];
  if (rule.type == 'a') {
    if (parts.size() != 1) return bad("\"a\" takes nothing else");
    rule.access = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    return rule;
  }
  if (parts.size() != 3) return bad("expected TYPE MAJOR:MINOR ACCESS");
  std::vector<absl::string_view> numbers = absl::StrSplit(parts[1], ':');
  if (numbers.size() != 2) return bad("expected MAJOR:MINOR");
  int64_t* fields[2] = {&rule.major, &rule.minor};
  for (int i = 0; i < 2; ++i) {
    if (numbers[i] == "*") continue;
    uint32_t value;
    if (!absl::SimpleAtoi(numbers[i], &value)) return bad("bad device number");
    *fields[i] = value;
  }
  for (char c : parts[2]) {
    if (c == 'r') {
      rule.access |= BPF_DEVCG_ACC_READ;
    } else if (c == 'w') {
      rule.access |= BPF_DEVCG_ACC_WRITE;
    } else if (c == 'm') {
      rule.access |= BPF_DEVCG_ACC_MKNOD;
    } else {
      return bad("access is made of r, w and m");
    }
  }
  if (rule.access == 0) return bad("no access given");
  return rule;
}

absl::StatusOr<std::string> DeviceRuleFor(const std::string& host_path,
                                          const std::string& permissions) {
  struct stat st;
  if (stat(host_path.c_str(), &st) != 0) {
    return ErrnoStatus(errno, "stat device", host_path);
  }
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "error gathering device information while adding custom device \"",
        host_path, "\": not a device node"));
  }
  if (permissions.empty() ||
      permissions.find_first_not_of("rwm") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid device mode: ", permissions));
  }
  return absl::StrCat(S_ISCHR(st.st_mode) ? "c " : "b ", major(st.st_rdev), ":",
                      minor(st.st_rdev), " ", permissions);
}

std::vector<bpf_insn> DeviceFilterProgram(const std::vector<DeviceRule>& rules) {
  // bpf_cgroup_dev_ctx: u32 access_type (access << 16 | type), major, minor.
  std::vector<bpf_insn> program = {
      LoadWord(BPF_REG_2, 0),       Mov32Reg(BPF_REG_3, BPF_REG_2),
      Alu32(BPF_AND, BPF_REG_3, 0xFFFF),  // type
      Alu32(BPF_RSH, BPF_REG_2, 16),      // access
      LoadWord(BPF_REG_4, 4),             // major
      LoadWord(BPF_REG_5, 8),             // minor
  };
  for (const DeviceRule& rule : rules) {
    std::vector<bpf_insn> block;
    std::vector<size_t> jumps;
    if (rule.type != 'a') {
      jumps.push_back(block.size());
      block.push_back(JumpIfNot(BPF_REG_3, rule.type == 'b' ? BPF_DEVCG_DEV_BLOCK
                                                            : BPF_DEVCG_DEV_CHAR));
    }
    // Every access asked for must be in the rule: (access & ~allowed) == 0.
    block.push_back(Mov32Reg(BPF_REG_6, BPF_REG_2));
    block.push_back(Alu32(BPF_AND, BPF_REG_6, static_cast<int32_t>(~rule.access & 7)));
    jumps.push_back(block.size());
    block.push_back(JumpIfNot(BPF_REG_6, 0));
    if (rule.major >= 0) {
      jumps.push_back(block.size());
      block.push_back(JumpIfNot(BPF_REG_4, static_cast<int32_t>(rule.major)));
    }
    if (rule.minor >= 0) {
      jumps.push_back(block.size());
      block.push_back(JumpIfNot(BPF_REG_5, static_cast<int32_t>(rule.minor)));
    }
    block.push_back(Return(1));
    block.push_back(Exit());
    // A mismatch jumps past this rule's block, to the next one.
    for (size_t at : jumps) {
      block[at].off = static_cast<int16_t>(block.size() - at - 1);
    }
    program.insert(program.end(), block.begin(), block.end());
  }
  program.push_back(Return(0));
  program.push_back(Exit());
  return program;
}

absl::Status AttachDeviceFilter(const std::string& cgroup_dir,
                                const std::vector<DeviceRule>& rules) {
  const std::vector<bpf_insn> program = DeviceFilterProgram(rules);
  static const char kLicense[] = "Apache-2.0";
  bpf_attr load;
  std::memset(&load, 0, sizeof(load));
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<uint64_t>(program.data());
  load.insn_cnt = static_cast<uint32_t>(program.size());
  load.license = reinterpret_cast<uint64_t>(kLicense);
  const int prog = static_cast<int>(Bpf(BPF_PROG_LOAD, &load));
  if (prog < 0) {
    return Annotate(ErrnoStatus(errno, "load the device filter (bpf)", cgroup_dir),
                    "restricting the container's devices on cgroup v2");
  }
  const int dir = open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    const int err = errno;
    close(prog);
    return ErrnoStatus(err, "open", cgroup_dir);
  }
  bpf_attr attach;
  std::memset(&attach, 0, sizeof(attach));
  attach.target_fd = static_cast<uint32_t>(dir);
  attach.attach_bpf_fd = static_cast<uint32_t>(prog);
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  const long attached = Bpf(BPF_PROG_ATTACH, &attach);
  const int err = errno;
  close(dir);
  close(prog);
  if (attached != 0) {
    return ErrnoStatus(err, "attach the device filter (bpf) to", cgroup_dir);
  }
  return absl::OkStatus();
}

}  // namespace berth::containerd::cgroups
