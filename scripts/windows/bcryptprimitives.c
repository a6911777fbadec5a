// A stand-in bcryptprimitives.dll for Wine 8.0, which has none, for `npm run test:windows`
// only (it is copied into the test's throwaway Wine prefix, never shipped). Rust's standard
// library on Windows takes its random bytes (HashMap seeds) from ProcessPrng in this DLL, so
// without it no Rust-built DLL loads under that Wine. Real Windows 10 and later have the DLL.
// Built by buildBcryptPrimitivesStandIn (scripts/windows-gnu.mjs) for scripts/test-windows.mjs: x86_64-w64-mingw32-gcc -shared -O2 -s -o … this file -ladvapi32
#include <windows.h>

// RtlGenRandom, as advapi32 exports it.
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/** Fills `data` with `length` random bytes from the system generator; always TRUE, as on Windows. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
