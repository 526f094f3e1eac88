// The seccomp filter sandboxed workers run under (bubblewrap's --seccomp): a classic BPF program, built here at
// start, that refuses system calls model code has no use for and that widen the kernel surface it can reach —
// new namespaces (a user namespace would give model code capabilities over fresh mount/network namespaces),
// ptrace, keyrings, io_uring, bpf, perf events, module and kexec loading, mounting. Everything else is allowed:
// the filesystem, network and process limits come from the namespaces and rlimits (README, "Safety model").

/** One BPF instruction: code, jump-if-true, jump-if-false, constant (struct sock_filter). */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;

export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const EPERM = 1;
export const ENOSYS = 38;

/** Offsets in struct seccomp_data: nr (int), arch (u32), instruction_pointer (u64), args[6] (u64 each). */
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const OFFSET_ARG0_LOW = 16; // little-endian: the low 32 bits of args[0]

export const AUDIT_ARCH_X86_64 = 0xc000003e;
/** x32 system calls carry this bit on x86_64; none is needed. */
const X32_SYSCALL_BIT = 0x40000000;

/** clone(2) flags that make a new namespace (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET). */
export const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

/** x86_64 numbers of the refused system calls (EPERM). */
export const DENIED_SYSCALLS_X86_64: Readonly<Record<string, number>> = {
  ptrace: 101, personality: 135, pivot_root: 155, chroot: 161, acct: 163, mount: 165, umount2: 166, swapon: 167,
  swapoff: 168, reboot: 169, sethostname: 170, setdomainname: 171, init_module: 175, delete_module: 176,
  quotactl: 179, lookup_dcookie: 212, kexec_load: 246, add_key: 248, request_key: 249, keyctl: 250, unshare: 272,
  perf_event_open: 298, name_to_handle_at: 303, open_by_handle_at: 304, setns: 308, process_vm_readv: 310,
  process_vm_writev: 311, finit_module: 313, kexec_file_load: 320, bpf: 321, userfaultfd: 323, io_uring_setup: 425,
  io_uring_enter: 426, io_uring_register: 427, open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431,
  fsmount: 432, fspick: 433, mount_setattr: 442,
};
const CLONE_X86_64 = 56;
/** clone3 passes its flags in memory a filter cannot read: ENOSYS makes the C library fall back to clone. */
const CLONE3_X86_64 = 435;

/**
 * The worker filter for this machine's architecture, or undefined where none is defined (only x86_64 is): the
 * caller then runs workers without one and says so.
 */
export function workerSeccompProgram(arch: string = process.arch): BpfInstruction[] | undefined {
  if (arch !== 'x64') return undefined;
  const denied = Object.values(DENIED_SYSCALLS_X86_64).sort((a, b) => a - b);
  // Layout: [0] ld arch, [1] jeq x86_64, [2] ld nr, [3] jge x32, [4..] one jeq per denied call, then clone3, clone,
  // allow, the clone flag check (ld arg0, jset, allow), and the three returns (EPERM, ENOSYS, KILL).
  const program: BpfInstruction[] = [];
  const firstDeny = 4;
  const clone3At = firstDeny + denied.length;
  const cloneAt = clone3At + 1;
  const allowAt = cloneAt + 1;
  const cloneCheckAt = allowAt + 1; // ld arg0, jset, ret allow
  const epermAt = cloneCheckAt + 3;
  const enosysAt = epermAt + 1;
  const killAt = enosysAt + 1;
  const jump = (from: number, to: number): number => {
    const offset = to - from - 1;
    if (offset < 0 || offset > 255) throw new Error(`seccomp jump out of range (${offset})`);
    return offset;
  };
  program.push({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k: OFFSET_ARCH });
  program.push({ code: BPF_JEQ_K, jt: 0, jf: jump(1, killAt), k: AUDIT_ARCH_X86_64 });
  program.push({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k: OFFSET_NR });
  program.push({ code: BPF_JGE_K, jt: jump(3, epermAt), jf: 0, k: X32_SYSCALL_BIT });
  denied.forEach((nr, i) => program.push({ code: BPF_JEQ_K, jt: jump(firstDeny + i, epermAt), jf: 0, k: nr }));
  program.push({ code: BPF_JEQ_K, jt: jump(clone3At, enosysAt), jf: 0, k: CLONE3_X86_64 });
  program.push({ code: BPF_JEQ_K, jt: jump(cloneAt, cloneCheckAt), jf: 0, k: CLONE_X86_64 });
  program.push({ code: BPF_RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW });
  program.push({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k: OFFSET_ARG0_LOW });
  program.push({ code: BPF_JSET_K, jt: jump(cloneCheckAt + 1, epermAt), jf: 0, k: CLONE_NAMESPACE_FLAGS });
  program.push({ code: BPF_RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW });
  program.push({ code: BPF_RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ERRNO | EPERM });
  program.push({ code: BPF_RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ERRNO | ENOSYS });
  program.push({ code: BPF_RET_K, jt: 0, jf: 0, k: SECCOMP_RET_KILL_PROCESS });
  return program;
}

/** The program as the kernel (and bwrap --seccomp) reads it: struct sock_filter[], 8 bytes each, little-endian. */
export function encodeBpf(program: BpfInstruction[]): Buffer {
  const out = Buffer.alloc(program.length * 8);
  program.forEach((insn, i) => {
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(insn.jt, i * 8 + 2);
    out.writeUInt8(insn.jf, i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}

/**
 * Runs a program on one system call as the kernel would (only the instructions the builder emits), for tests:
 * the action word returned (SECCOMP_RET_*, with the errno in the low bits).
 */
export function runBpf(program: BpfInstruction[], call: { arch: number; nr: number; args?: bigint[] }): number {
  const data = Buffer.alloc(64);
  data.writeInt32LE(call.nr, OFFSET_NR);
  data.writeUInt32LE(call.arch, OFFSET_ARCH);
  (call.args ?? []).forEach((arg, i) => data.writeBigUInt64LE(BigInt.asUintN(64, arg), 16 + i * 8));
  let accumulator = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const insn = program[pc] as BpfInstruction;
    switch (insn.code) {
      case BPF_LD_W_ABS:
        accumulator = data.readUInt32LE(insn.k);
        break;
      case BPF_JEQ_K:
        pc += accumulator === insn.k >>> 0 ? insn.jt : insn.jf;
        break;
      case BPF_JGE_K:
        pc += accumulator >= insn.k >>> 0 ? insn.jt : insn.jf;
        break;
      case BPF_JSET_K:
        pc += (accumulator & insn.k) !== 0 ? insn.jt : insn.jf;
        break;
      case BPF_RET_K:
        return insn.k >>> 0;
      default:
        throw new Error(`unknown BPF instruction ${insn.code}`);
    }
  }
  throw new Error('the program ran off its end');
}
