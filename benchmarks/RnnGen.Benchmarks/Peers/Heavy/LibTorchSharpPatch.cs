using System;
using System.IO;
using System.Text;

namespace RnnGen.Benchmarks.Peers.Heavy;

/// <summary>
/// Makes TorchSharp's native library load on Debian 12. TorchSharp 0.107's libLibTorchSharp.so was linked with GCC 13
/// and declares a need for GLIBCXX_3.4.32, which Debian 12's libstdc++ (GCC 12, up to GLIBCXX_3.4.30) lacks, so it
/// does not load as shipped ("version `GLIBCXX_3.4.32' not found"). The only symbol it takes from that version is
/// <c>std::ios_base_library_init()</c>, a marker GCC 13's &lt;iostream&gt; references without any relocation (it is
/// never called or bound). Before TorchSharp is first touched, this marks that one version need weak (VER_FLG_WEAK in
/// .gnu.version_r) in the copy next to the program: the loader then accepts a libstdc++ without it. The NuGet cache is
/// not touched, nothing else changes, and on a system whose libstdc++ has the version it is harmless.
/// It runs at start-up rather than as a build step because BenchmarkDotNet builds its own project, which copies the
/// library from the NuGet cache again.
/// </summary>
public static class LibTorchSharpPatch
{
    private const string Version = "GLIBCXX_3.4.32";
    private static readonly object Lock = new();
    private static string? s_outcome;

    /// <summary>What was done, once per process (idempotent).</summary>
    public static string Apply()
    {
        lock (Lock)
        {
            if (s_outcome is not null) return s_outcome;
            string path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            s_outcome = !OperatingSystem.IsLinux() || !File.Exists(path) ? "nothing to patch" : Weaken(path);
            Console.WriteLine($"// TorchSharp: {path}: {s_outcome}");
            return s_outcome;
        }
    }

    private static string Weaken(string path)
    {
        byte[] d = File.ReadAllBytes(path);
        if (d.Length < 64 || d[0] != 0x7f || d[1] != (byte)'E' || d[4] != 2 || d[5] != 1) return "not a 64-bit little-endian ELF file; left alone";
        int U16(int o) => BitConverter.ToUInt16(d, o);
        int U32(int o) => checked((int)BitConverter.ToUInt32(d, o));
        int U64(int o) => checked((int)BitConverter.ToUInt64(d, o));
        int shoff = U64(0x28), shentsize = U16(0x3A), shnum = U16(0x3C);
        int found = 0, weakened = 0;
        for (int s = 0; s < shnum; s++)
        {
            int section = shoff + s * shentsize;
            if (BitConverter.ToUInt32(d, section + 4) != 0x6ffffffeu) continue;           // SHT_GNU_verneed
            int offset = U64(section + 0x18), count = U32(section + 0x2C);
            int strings = U64(shoff + U32(section + 0x28) * shentsize + 0x18);            // its sh_link: .dynstr
            for (int vn = offset, n = 0; n < count; n++, vn += U32(vn + 12))             // Elf64_Verneed
                for (int aux = vn + U32(vn + 8), a = 0; a < U16(vn + 2); a++, aux += U32(aux + 12))   // Elf64_Vernaux
                {
                    int name = strings + U32(aux + 8);
                    if (Encoding.ASCII.GetString(d, name, Array.IndexOf(d, (byte)0, name) - name) != Version) continue;
                    found++;
                    int flags = U16(aux + 4);
                    if ((flags & 2) != 0) continue;                                           // already VER_FLG_WEAK
                    BitConverter.GetBytes((ushort)(flags | 2)).CopyTo(d, aux + 4);
                    weakened++;
                }
        }
        if (weakened > 0) File.WriteAllBytes(path, d);
        return found == 0 ? $"needs no {Version}" : weakened > 0 ? $"its need for {Version} is now weak (patched)" : $"its need for {Version} was already weak";
    }
}
