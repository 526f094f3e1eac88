import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUDIT_ARCH_X86_64, CLONE_NAMESPACE_FLAGS, DENIED_SYSCALLS_X86_64, ENOSYS, EPERM, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS, encodeBpf, runBpf, workerSeccompProgram,
} from './seccomp.js';

const program = workerSeccompProgram('x64');
const x64 = (nr: number, args: bigint[] = []) => runBpf(program ?? [], { arch: AUDIT_ARCH_X86_64, nr, args });

test('the worker seccomp filter refuses every listed call with EPERM and allows what Python and CLIPS use', () => {
  assert.ok(program);
  for (const [name, nr] of Object.entries(DENIED_SYSCALLS_X86_64)) assert.equal(x64(nr), SECCOMP_RET_ERRNO | EPERM, name);
  // read, write, openat, mmap, futex, exit_group, getrandom, rt_sigaction, wait4, fstat, setrlimit
  for (const nr of [0, 1, 257, 9, 202, 231, 318, 13, 61, 5, 160]) assert.equal(x64(nr), SECCOMP_RET_ALLOW, `syscall ${nr}`);
});

test('clone makes threads and processes but no namespace; clone3 says ENOSYS so the C library falls back to clone', () => {
  const CLONE_THREAD_FLAGS = 0x3d0f00n; // what glibc's pthread_create passes
  assert.equal(x64(56, [CLONE_THREAD_FLAGS]), SECCOMP_RET_ALLOW);
  assert.equal(x64(56, [0x11n]), SECCOMP_RET_ALLOW); // fork: SIGCHLD
  for (const flag of [0x00020000n, 0x02000000n, 0x04000000n, 0x08000000n, 0x10000000n, 0x20000000n, 0x40000000n]) {
    assert.ok((BigInt(CLONE_NAMESPACE_FLAGS) & flag) !== 0n);
    assert.equal(x64(56, [flag | 0x11n]), SECCOMP_RET_ERRNO | EPERM, `clone flag ${flag.toString(16)}`);
  }
  assert.equal(x64(435), SECCOMP_RET_ERRNO | ENOSYS);
});

test('another architecture or an x32 call never passes', () => {
  assert.equal(runBpf(program ?? [], { arch: 0x40000003 /* i386 */, nr: 1 }), SECCOMP_RET_KILL_PROCESS);
  assert.equal(x64(0x40000000 + 1), SECCOMP_RET_ERRNO | EPERM);
});

test('encodes struct sock_filter entries, 8 bytes each, little-endian; no filter off x86_64', () => {
  const bytes = encodeBpf(program ?? []);
  assert.equal(bytes.length, (program ?? []).length * 8);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x20, 0, 0, 0, 4, 0, 0, 0]); // ld [4]: the architecture
  assert.equal(workerSeccompProgram('arm64'), undefined);
});
