namespace RnnGen.Generator.Tests.Fuzzing;

/// <summary>
/// Inputs the fuzzers leave out while a product bug they found is open, so that CI stays green and still covers
/// everything else. Each bug has a skipped regression test in <see cref="AttributeFuzzRegressionTests"/>; when it is
/// fixed, un-skip that test and set its switch here to <see langword="false"/>.
/// </summary>
internal static class KnownProductBugs
{
    /// <summary>Model classes named like a generated member or with a verbatim keyword name (<c>State</c>, <c>@class</c>, …).</summary>
    public const bool AvoidOddModelNames = true;

    /// <summary><c>partial record</c> model classes.</summary>
    public const bool AvoidRecordModels = true;

    /// <summary>Hidden and Dense sizes of <c>int.MaxValue</c>, whose value count overflows RNNG0107's 64-bit sum.</summary>
    public const bool AvoidInt32MaxLayerSizes = true;

    /// <summary><c>SequenceLength</c> of 100 000 and <c>int.MaxValue</c>: the training buffers' constant sizes overflow (CS0220).</summary>
    public const bool AvoidHugeSequenceLength = true;

    /// <summary>A <c>Module</c> ending in a newline (<c>"rnn\n"</c>), which RNNG0109's pattern lets through.</summary>
    public const bool AvoidModuleWithTrailingNewline = true;

    /// <summary>Two models in one scope whose names differ only in case (<c>Model</c>, <c>model</c>): their hint names clash.</summary>
    public const bool AvoidModelNamesDifferingInCase = true;
}
