// Export back to PyTorch: a model imported from Keras is saved with SaveSafetensors; the bytes must equal the committed
// tests/reference/import/export/lstm_dense.rnngen.safetensors, which make_import_reference.py reads with the
// reference script's own safetensors reader, compares tensor by tensor with the PyTorch state_dict it expects, loads
// into nn.LSTM + nn.Linear and runs (CI has no Python, so that check runs where the references are regenerated).
using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace RnnGen.Import.Tests;

public class ExportTests
{
    private const string FileName = "lstm_dense.rnngen.safetensors";

    [Fact]
    public void SaveSafetensorsWritesTheFileThatPyTorchLoads()
    {
        var model = new Lstm3x5Dense2();
        KerasImporter.Load(model, ImportCase.Get("keras/lstm_dense").Path);
        var saved = new MemoryStream();
        model.SaveSafetensors(saved);
        byte[] bytes = saved.ToArray();

        if (Environment.GetEnvironmentVariable("RNNGEN_WRITE_EXPORT") == "1" && Environment.GetEnvironmentVariable("CI") is null)
            File.WriteAllBytes(SourcePath(), bytes);
        string committed = Path.Combine(ImportCase.Folder, "export", FileName);
        Assert.True(File.Exists(committed), $"{committed} is missing: run the tests once with RNNGEN_WRITE_EXPORT=1, then make_import_reference.py to check it.");
        Assert.Equal(File.ReadAllBytes(committed), bytes);

        // And back: the file loads into a fresh model with the same parameters and outputs.
        var again = new Lstm3x5Dense2();
        again.LoadSafetensors(committed);
        Assert.Equal(model.Parameters.ToArray(), again.Parameters.ToArray());
        ImportCase c = ImportCase.Get("keras/lstm_dense");
        Assert.Equal(Models.Run(model, c.Inputs), Models.Run(again, c.Inputs));
    }

    [Fact]
    public void ImportedWeightsRoundTripThroughSafetensorsInDouble()
    {
        var model = new Lstm3x5Dense2Double();
        OnnxImporter.Load(model, ImportCase.Get("onnx/lstm_dense").Path);
        string path = Path.Combine(Path.GetTempPath(), $"rnngen-import-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.SaveSafetensors(path);
            SafetensorsFile file = SafetensorsFile.Read(path);
            Assert.All(file.Tensors, t => Assert.Equal("F64", t.DType));
            var again = new Lstm3x5Dense2Double();
            again.LoadSafetensors(path);
            Assert.Equal(model.Parameters.ToArray(), again.Parameters.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string SourcePath([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "reference", "import", "export", FileName);
}
