using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests.Fuzzing;

/// <summary>A generated model as the weight-file fuzzers see it, whatever its element type.</summary>
internal abstract class FuzzTarget
{
    public abstract string Name { get; }
    public abstract bool IsDouble { get; }
    public abstract IReadOnlyList<ParameterInfo> Layout { get; }
    public abstract int ParameterCount { get; }
    public abstract object Model { get; }

    /// <summary>The parameters' bits, to compare before and after a load.</summary>
    public abstract byte[] Bits();

    /// <summary>Distinct, non-zero values, so an unchanged model is told from any file's.</summary>
    public abstract void FillSentinel(int seed);

    /// <summary>What the parameters must hold after loading <paramref name="file"/> (each tensor converted to the element type).</summary>
    public abstract byte[] ExpectedBits(SafetensorsFile file);

    public abstract void LoadSafetensors(Stream stream);
    public abstract void LoadSafetensors(string path);

    public override string ToString() => Name;

    /// <summary>The models the fuzzers load into; the index is part of each case.</summary>
    public static readonly Func<FuzzTarget>[] SafetensorsTargets =
    [
        () => new FuzzTarget<float>(new SmallLstmFloat()),
        () => new FuzzTarget<double>(new SmallLstmDouble()),
        () => new FuzzTarget<float>(new SmallStackedLstmFloat()),
        () => new FuzzTarget<double>(new FuzzEmbeddingGruDouble()),
        () => new FuzzTarget<float>(new FuzzSimpleRnnFloat()),
        () => new FuzzTarget<float>(new FuzzEmbeddingLstmFloat()),
    ];
}

internal sealed class FuzzTarget<T>(IRecurrentModel<T> model) : FuzzTarget where T : unmanaged, IFloatingPointIeee754<T>
{
    public IRecurrentModel<T> Typed => model;
    public override string Name => model.GetType().Name;
    public override bool IsDouble => typeof(T) == typeof(double);
    public override IReadOnlyList<ParameterInfo> Layout => model.ParameterLayout;
    public override int ParameterCount => model.Parameters.Length;
    public override object Model => model;

    public override byte[] Bits() => MemoryMarshal.AsBytes(model.Parameters).ToArray();

    public override void FillSentinel(int seed)
    {
        Span<T> p = model.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] = T.CreateTruncating(1000 + seed % 1000 + i * 0.25);
    }

    public override byte[] ExpectedBits(SafetensorsFile file)
    {
        var expected = new T[ParameterCount];
        foreach (ParameterInfo p in Layout)
        {
            Span<T> destination = expected.AsSpan(p.Offset, p.Length);
            if (typeof(T) == typeof(float)) file[p.Name].CopyTo(MemoryMarshal.Cast<T, float>(destination));
            else file[p.Name].CopyTo(MemoryMarshal.Cast<T, double>(destination));
        }
        return MemoryMarshal.AsBytes(expected.AsSpan()).ToArray();
    }

    public override void LoadSafetensors(Stream stream) => model.LoadSafetensors(stream);
    public override void LoadSafetensors(string path) => model.LoadSafetensors(path);
}

/// <summary>A read-only stream that cannot seek (a network or pipe stream): a lying header length cannot be checked against its length.</summary>
internal sealed class NonSeekableStream(byte[] bytes) : Stream
{
    private readonly MemoryStream _inner = new(bytes, writable: false);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 4096)); // short reads too
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>The checks every fuzzed weight file goes through.</summary>
internal static class FuzzChecks
{
    /// <summary>The allocation bound: no buffer sized by an unchecked header field, only by what the file really holds.</summary>
    public static long AllocationBound(int fileLength, int parameterCount) => 64L * fileLength + (1 << 20) + 16L * parameterCount;

    /// <summary>
    /// Runs <paramref name="action"/>, which may succeed or throw <see cref="InvalidDataException"/> and nothing else,
    /// and checks how much it allocated on this thread. Returns the exception, or null on success.
    /// </summary>
    public static InvalidDataException? Expect(string what, Action action, long bound)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        InvalidDataException? failure = null;
        try
        {
            action();
        }
        catch (InvalidDataException e)
        {
            failure = e;
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{what} threw {e.GetType().FullName}, not InvalidDataException: {e.Message}\n{e}");
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= bound, $"{what} allocated {allocated} bytes, more than the bound {bound} ({(failure is null ? "it succeeded" : "it failed: " + failure.Message)})");
        return failure;
    }

    /// <summary>Runs <paramref name="action"/> on its own thread and fails if it has not finished after <paramref name="seconds"/> (a hang on hostile input).</summary>
    public static void WithinSeconds(string what, Action action, double seconds = 20)
    {
        Exception? failure = null;
        var thread = new System.Threading.Thread(() =>
        {
            try { action(); }
            catch (Exception e) { failure = e; }
        }) { IsBackground = true }; // a hung thread must not keep the test host alive
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(seconds)))
            throw new Xunit.Sdk.XunitException($"{what} did not finish within {seconds} s: it hangs on this input (the thread is left running).");
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>The safetensors properties for one file and one model (see <see cref="SafetensorsFuzzTests"/>).</summary>
    public static void CheckSafetensors(byte[] bytes, FuzzTarget target, int seed, bool viaPath)
    {
        long bound = AllocationBound(bytes.Length, target.ParameterCount);

        SafetensorsFile? file = null;
        InvalidDataException? readFailure = Expect("SafetensorsFile.Read(seekable stream)", () => file = SafetensorsFile.Read(new MemoryStream(bytes)), bound);
        InvalidDataException? pipeFailure = Expect("SafetensorsFile.Read(non-seekable stream)", () => SafetensorsFile.Read(new NonSeekableStream(bytes)), bound);
        Assert.True((readFailure is null) == (pipeFailure is null),
            $"Seekable and non-seekable reads disagree: {readFailure?.Message ?? "ok"} / {pipeFailure?.Message ?? "ok"}");

        target.FillSentinel(seed);
        byte[] before = target.Bits();
        InvalidDataException? loadFailure = Expect($"{target.Name}.LoadSafetensors(stream)", () => target.LoadSafetensors(new MemoryStream(bytes)), bound);
        if (readFailure is not null) Assert.NotNull(loadFailure);
        if (loadFailure is not null)
        {
            Assert.True(before.AsSpan().SequenceEqual(target.Bits()), $"{target.Name}: parameters changed by a failed load ({loadFailure.Message})");
            Assert.Contains("not changed", loadFailure.Message);
        }
        else
        {
            // The file was valid after all: the model holds exactly its values.
            Assert.True(target.ExpectedBits(file!).AsSpan().SequenceEqual(target.Bits()), $"{target.Name}: a successful load does not hold the file's values");
        }

        if (viaPath)
        {
            string path = Path.Combine(Path.GetTempPath(), $"rnngen-fuzz-{Environment.ProcessId}-{seed}.safetensors");
            File.WriteAllBytes(path, bytes);
            try
            {
                target.FillSentinel(seed + 1);
                before = target.Bits();
                InvalidDataException? pathFailure = Expect($"{target.Name}.LoadSafetensors(path)", () => target.LoadSafetensors(path), bound);
                Assert.True((pathFailure is null) == (loadFailure is null), "Loading from a path and from a stream disagree");
                if (pathFailure is not null) Assert.True(before.AsSpan().SequenceEqual(target.Bits()), $"{target.Name}: parameters changed by a failed load from a path");
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
