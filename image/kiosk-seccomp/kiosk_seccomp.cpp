// kiosk-seccomp PROGRAM [ARGS...]: runs PROGRAM under a seccomp filter that narrows what the
// kiosk's unit (image/units/lontar-kiosk.service) cannot say to systemd. kiosk-session puts it in
// front of cage, so cage, lontar-kiosk and anything they start inherit the filter (filters
// survive execve and fork, and cannot be removed).
//
// Why a filter of our own: the unit allows the address family AF_NETLINK because cage (libinput
// and wlroots, through libudev) hears of keyboards, mice and screens plugged in later through a
// NETLINK_KOBJECT_UEVENT socket. systemd's RestrictAddressFamilies= decides by family only, so
// the same allowance opens every other netlink protocol: NETLINK_ROUTE, NETLINK_NETFILTER
// (nf_tables), NETLINK_XFRM and the rest, the kernel code most often used to escalate from an
// unprivileged process. systemd's SystemCallFilter= cannot look at a call's arguments; this
// filter can. It allows:
//   socket(AF_NETLINK, *, NETLINK_KOBJECT_UEVENT)   and refuses any other netlink protocol with
//                                                    EAFNOSUPPORT (what systemd's own family
//                                                    filter answers);
// and refuses io_uring_setup with ENOSYS, since an io_uring IORING_OP_SOCKET creates sockets
// without the socket system call, past both this filter and RestrictAddressFamilies= (the unit
// refuses io_uring too; this keeps the helper sound on its own). Every other call is left to the
// unit's own filters. A call from another ABI (i386 through int 0x80, x32) kills the process:
// the socket numbers checked here are x86-64's.
//
// If the filter cannot be installed, PROGRAM is not run (the unit restarts and says why in the
// journal): the kiosk never runs with less than it was promised.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#if !defined(__x86_64__)
#error "kiosk-seccomp checks x86-64 system call numbers; the appliance image is amd64 only"
#endif

namespace {

constexpr unsigned kX32Bit = 0x40000000;  // x32 system calls carry this bit in their number

constexpr sock_filter Load(std::size_t offset) {
  return BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<unsigned>(offset));
}
constexpr sock_filter Return(unsigned action) { return BPF_STMT(BPF_RET | BPF_K, action); }
constexpr unsigned RefuseWith(int error_number) {
  return SECCOMP_RET_ERRNO | (static_cast<unsigned>(error_number) & SECCOMP_RET_DATA);
}
// The low 32 bits of argument I: socket's domain and protocol are ints, and the kernel reads only
// those bits.
constexpr std::size_t ArgLow(int i) { return offsetof(seccomp_data, args) + 8 * i; }

// jt/jf count instructions to skip from the next one.
constexpr sock_filter kFilter[] = {
    Load(offsetof(seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    Return(SECCOMP_RET_KILL_PROCESS),
    Load(offsetof(seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, kX32Bit, 0, 1),
    Return(SECCOMP_RET_KILL_PROCESS),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
    Return(RefuseWith(ENOSYS)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),
    Return(SECCOMP_RET_ALLOW),
    Load(ArgLow(0)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 1, 0),
    Return(SECCOMP_RET_ALLOW),
    Load(ArgLow(2)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NETLINK_KOBJECT_UEVENT, 0, 1),
    Return(SECCOMP_RET_ALLOW),
    Return(RefuseWith(EAFNOSUPPORT)),
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kiosk-seccomp PROGRAM [ARGS...]\n");
    return 2;
  }
  sock_fprog program{};
  program.len = static_cast<unsigned short>(sizeof(kFilter) / sizeof(kFilter[0]));
  program.filter = const_cast<sock_filter*>(kFilter);
  // Without CAP_SYS_ADMIN the kernel installs a filter only under no_new_privs, which the unit's
  // NoNewPrivileges=yes has already set; setting it again here costs nothing.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
    std::fprintf(stderr,
                 "kiosk-seccomp: cannot install the netlink filter (%s); not starting %s: "
                 "the kernel needs seccomp filters (CONFIG_SECCOMP_FILTER)\n",
                 std::strerror(errno), argv[1]);
    return 1;
  }
  execv(argv[1], argv + 1);
  std::fprintf(stderr, "kiosk-seccomp: cannot run %s: %s\n", argv[1], std::strerror(errno));
  return 127;
}
