/*
 * Test-only stand-in for bcryptprimitives.dll under wine (scripts/windows-check).
 *
 * Rust's standard library on Windows fills its random keys at start with
 * ProcessPrng from bcryptprimitives.dll (Windows 10 and later). Debian 12's
 * wine 8 has no such DLL, so a Rust .exe does not even start there. This
 * DLL exports that one function, forwarding to BCryptGenRandom (which wine
 * has). It is placed beside the .exe only for the check under wine; real
 * Windows has the system DLL and never sees this file.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
