using System;
using System.Collections.Immutable;
using System.IO;
using System.Text;
using System.Threading;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Model;
using RnnGen.Generator.Parsing;
using RnnGen.Generator.Weights;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Every pipeline step takes the step's cancellation token into its loops: a cancelled build stops reading, parsing,
/// validating and binding instead of finishing the work first (the weights file is read in 1 MB pieces, its header
/// and tensors checked one by one).
/// </summary>
public sealed class CancellationTests
{
    private static readonly CancellationToken Cancelled = new(canceled: true);

    private static readonly TypeHierarchy Type = new("Demo", new[] { new TypeDeclaration("class", "Model") }.ToEquatableArray());

    [Fact]
    public void ReadingTheWeightsFileStops()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[3 << 20]);
            Assert.Throws<OperationCanceledException>(() => WeightsFile.Read(path, Cancelled));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ParsingTheHeaderStops()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}");
        Assert.NotNull(HeaderJson.Parse(header, 0, header.Length, CancellationToken.None));
        Assert.Throws<OperationCanceledException>(() => HeaderJson.Parse(header, 0, header.Length, Cancelled));
    }

    [Fact]
    public void ValidatingStops()
    {
        var model = new ModelDeclaration(Type, null, new AttributeValue<int>(2, null), null, null,
            new[] { new LayerDeclaration(LayerKind.Lstm, null, new AttributeValue<int>(4, null), true, null, true, null, null) }.ToEquatableArray(),
            null, null, EquatableArray<UserMember>.Empty);
        Assert.NotNull(ModelValidator.Validate(model, CancellationToken.None).Spec);
        Assert.Throws<OperationCanceledException>(() => ModelValidator.Validate(model, Cancelled));
    }

    [Fact]
    public void BindingStops()
    {
        var spec = new ModelSpec(Type, false, 2, 64,
            new[] { new RecurrentLayerSpec(0, CellKind.Lstm, 2, 4, true, default, true, "rnn", 0, 0) }.ToEquatableArray(),
            EquatableArray<DenseLayerSpec>.Empty, null, WeightsFile: "tiny.safetensors");
        var file = new WeightsFile("/models/tiny.safetensors", null, EquatableArray<WeightsTensor>.Empty);
        Assert.NotEmpty(WeightsBinder.Bind(spec, ImmutableArray.Create(file), CancellationToken.None).Problems);
        Assert.Throws<OperationCanceledException>(() => WeightsBinder.Bind(spec, ImmutableArray.Create(file), Cancelled));
    }

    [Fact]
    public void ChoosingHintNamesStops()
    {
        var clash = new[] { Type, Type with { Types = new[] { new TypeDeclaration("class", "model") }.ToEquatableArray() } };
        Assert.Equal(2, HintNames.Disambiguate(clash, CancellationToken.None).Count);
        Assert.Throws<OperationCanceledException>(() => HintNames.Disambiguate(clash, Cancelled));
    }
}
