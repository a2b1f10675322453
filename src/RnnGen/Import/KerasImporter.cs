using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace RnnGen.Import;

/// <summary>
/// Loads Keras layer weights into a generated model from the JSON that RTNeural's Keras exporter writes (and the
/// few-line snippet in docs/importing.md writes, with a few more fields): <c>{"in_shape": [...], "layers": [{"type":
/// "lstm" | "gru" | "simplernn" | "dense" | ..., "activation": ..., "weights": [kernel, recurrent_kernel, bias]}]}</c>,
/// where <c>weights</c> is the layer's <c>get_weights()</c> as nested lists.
/// </summary>
/// <remarks>
/// The file is checked against <see cref="IRecurrentModel{T}.Architecture"/> (layer count and order, cells,
/// sizes, GRU <c>reset_after</c> against <c>ResetAfter</c>, activations, biases, the Dense head) and converted to
/// PyTorch layout: kernels <c>[I, G·H]</c> are transposed to <c>[G·H, I]</c>, Keras gate blocks (LSTM
/// <c>[i, f, c, o]</c>, GRU <c>[z, r, h]</c>) are reordered to PyTorch's (<c>[i, f, g, o]</c>, <c>[r, z, n]</c>), a
/// single bias row becomes <c>bias_ih</c> with <c>bias_hh = 0</c>, and a GRU's two bias rows (<c>reset_after=True</c>)
/// become <c>bias_ih</c> and <c>bias_hh</c>. The tensors are then loaded with the model's <c>LoadSafetensors</c>.
/// Anything RnnGen cannot represent exactly is an <see cref="InvalidDataException"/> that names the layer, and the
/// model's parameters stay as they were.
/// </remarks>
public static class KerasImporter
{
    /// <summary>Loads the Keras JSON file at <paramref name="path"/> into <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The file does not match the model, or has what RnnGen cannot represent.</exception>
    public static void Load<T>(IRecurrentModel<T> model, string path) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        Load(model, File.ReadAllBytes(path), $"'{path}'");
    }

    /// <summary>Loads Keras JSON from <paramref name="stream"/> (its current position to its end) into <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The data does not match the model, or has what RnnGen cannot represent.</exception>
    public static void Load<T>(IRecurrentModel<T> model, Stream stream) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Load(model, buffer.ToArray(), "the Keras JSON stream");
    }

    private static void Load<T>(IRecurrentModel<T> model, byte[] json, string source) where T : unmanaged
    {
        PyTorchTensors tensors;
        try
        {
            tensors = Convert(model, json);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Cannot import {source} into {model.GetType().Name}: {e.Message}. The model's parameters were not changed.", e);
        }
        tensors.LoadInto(model);
    }

    private sealed record KerasLayer(int Index, string Type, string Label, JsonElement Element)
    {
        public string ActivationName = "";
        public List<JsonElement> Weights = [];
    }

    private static PyTorchTensors Convert<T>(IRecurrentModel<T> model, byte[] json) where T : unmanaged
    {
        ModelArchitecture architecture = model.Architecture;
        // JSON text is UTF-8 (RFC 8259), and JsonDocument leaves the contents of strings unchecked until they are read.
        if (!Utf8.IsValid(json))
            throw new InvalidDataException($"it is not UTF-8 text ({FirstInvalidUtf8(json)}); JSON files are UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"it is not valid JSON ({e.Message}; NaN and Infinity are not JSON: Python's json.dump writes them only for non-finite weights)", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("layers", out JsonElement layersElement) || layersElement.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException("it is not a Keras weights file: expected a JSON object with a \"layers\" array ({\"in_shape\": [...], \"layers\": [...]}, see docs/importing.md)");

            if (root.TryGetProperty("in_shape", out JsonElement inShape) && inShape.ValueKind == JsonValueKind.Array && inShape.GetArrayLength() > 0
                && inShape[inShape.GetArrayLength() - 1] is { ValueKind: JsonValueKind.Number } features && architecture.VocabularySize == 0
                && features.GetDouble() != architecture.InputSize)
                throw new InvalidDataException($"\"in_shape\" says {features.GetRawText()} input features, the model has InputSize = {architecture.InputSize}");

            // Sort the file's layers into embedding, recurrent and Dense, dropping those without parameters.
            KerasLayer? embedding = null;
            var recurrent = new List<KerasLayer>();
            var dense = new List<KerasLayer>();
            int index = 0;
            foreach (JsonElement element in layersElement.EnumerateArray())
            {
                KerasLayer layer = Describe(index++, element);
                switch (layer.Type)
                {
                    case "inputlayer" or "dropout" or "spatialdropout1d" or "gaussiandropout" or "gaussiannoise" or "alphadropout":
                        // Identities at inference.
                        if (layer.Weights.Count != 0) throw new InvalidDataException($"{layer.Label} has weights, but a {layer.Type} layer has none");
                        break;
                    case "embedding":
                        if (embedding is not null || recurrent.Count > 0 || dense.Count > 0)
                            throw new InvalidDataException($"{layer.Label} is an Embedding after other layers; RnnGen's [Embedding] is the first layer");
                        embedding = layer;
                        break;
                    case "lstm" or "gru" or "simplernn":
                        if (dense.Count > 0)
                            throw new InvalidDataException($"{layer.Label} is a recurrent layer after a Dense layer; RnnGen has recurrent layers first, then the Dense head");
                        recurrent.Add(layer);
                        break;
                    case "dense" or "time-distributed-dense":
                        if (recurrent.Count == 0)
                            throw new InvalidDataException($"{layer.Label} is a Dense layer before any recurrent layer; RnnGen has recurrent layers first, then the Dense head");
                        dense.Add(layer);
                        break;
                    case "activation":
                        // A separate Activation layer (RTNeural writes these too): it belongs to the Dense layer before it.
                        if (dense.Count == 0)
                            throw new InvalidDataException($"{layer.Label} applies {Quote(layer.ActivationName)} to a recurrent layer's output; RnnGen has activations only on Dense layers");
                        KerasLayer previous = dense[^1];
                        if (NormalizeDense(previous.ActivationName) != "linear")
                            throw new InvalidDataException($"{layer.Label} applies {Quote(layer.ActivationName)} after {previous.Label}, which already applies {Quote(previous.ActivationName)}; RnnGen has one activation per Dense layer");
                        previous.ActivationName = layer.ActivationName;
                        break;
                    case "bidirectional":
                        throw new InvalidDataException($"{layer.Label} is Bidirectional, which RnnGen does not support");
                    case "timedistributed":
                        throw new InvalidDataException($"{layer.Label} is TimeDistributed: write the Dense layer itself (Keras's Dense already applies at every time step) or use RTNeural's exporter, which writes \"time-distributed-dense\"");
                    case "unknown":
                        throw new InvalidDataException($"{layer.Label} has type \"unknown\" (RTNeural's exporter writes that for a Keras layer it does not recognize): RnnGen cannot tell what it computes; remove it if it is a no-op at inference, such as Dropout, or write the file with the snippet in docs/importing.md, which records the class name");
                    default:
                        throw new InvalidDataException($"{layer.Label} has type \"{layer.Type}\", which RnnGen cannot represent (supported: lstm, gru, simplernn, dense, time-distributed-dense, embedding, activation, dropout, inputlayer)");
                }
            }

            var tensors = new PyTorchTensors(model.ParameterLayout);
            string expectation = $"the model declares {GateOrder.Declarations(architecture)}";

            if (architecture.VocabularySize > 0)
            {
                if (embedding is null)
                    throw new InvalidDataException($"the file has no Embedding layer, but the model has [Embedding({architecture.VocabularySize})]");
                if (embedding.Weights.Count != 1) throw new InvalidDataException($"{embedding.Label} has {embedding.Weights.Count} weight arrays, expected 1 (the embeddings)");
                double[] table = Matrix(embedding, 0, architecture.VocabularySize, architecture.InputSize, "embeddings");
                table.CopyTo(tensors.Tensor(architecture.EmbeddingModule + ".weight", architecture.VocabularySize, architecture.InputSize));
            }
            else if (embedding is not null)
            {
                throw new InvalidDataException($"{embedding.Label} is an Embedding, but the model has no [Embedding]");
            }

            if (recurrent.Count != architecture.Layers.Count)
                throw new InvalidDataException($"the file has {recurrent.Count} recurrent layer(s) ({Describe(recurrent)}), {expectation} with {architecture.Layers.Count}; a layer's weights are missing or extra");
            for (int k = 0; k < recurrent.Count; k++) Recurrent(recurrent[k], architecture.Layers[k], tensors);

            if (dense.Count != architecture.Head.Count)
                throw new InvalidDataException($"the file has {dense.Count} Dense layer(s) ({Describe(dense)}), {expectation} with {architecture.Head.Count}");
            for (int k = 0; k < dense.Count; k++) Dense(dense[k], architecture.Head[k], tensors);
            return tensors;
        }
    }

    /// <summary>Where the first byte that is not UTF-8 is, for the message.</summary>
    private static string FirstInvalidUtf8(byte[] json)
    {
        int at = 0;
        while (Rune.DecodeFromUtf8(json.AsSpan(at), out _, out int length) == System.Buffers.OperationStatus.Done) at += length;
        return $"byte {at}, on line {1 + json.AsSpan(0, at).Count((byte)'\n')}, is not valid UTF-8";
    }

    /// <summary>
    /// A JSON string's value. An escaped lone surrogate (<c>"\ud800"</c>) is valid JSON but no text, which
    /// <see cref="JsonElement.GetString"/> refuses with <see cref="InvalidOperationException"/>: refused here as invalid data.
    /// </summary>
    private static string Text(JsonElement value, string what)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"{what} is not valid text: {value.GetRawText()} ({e.Message})", e);
        }
    }

    private static string Describe(List<KerasLayer> layers) => layers.Count == 0 ? "none" : string.Join(", ", layers.Select(l => l.Label));

    private static string Quote(string value) => "\"" + value + "\"";

    private static KerasLayer Describe(int index, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"layer {index} is not a JSON object");
        string type = element.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String
            ? Text(t, $"layer {index}'s \"type\"").ToLowerInvariant()
            : throw new InvalidDataException($"layer {index} has no \"type\" string");
        string name = element.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? Text(n, $"layer {index}'s \"name\"") : "";
        var layer = new KerasLayer(index, type, $"layer {index} ({type}{(name.Length > 0 ? " '" + name + "'" : "")})", element);
        if (element.TryGetProperty("activation", out JsonElement activation))
        {
            layer.ActivationName = activation.ValueKind switch
            {
                JsonValueKind.String => Text(activation, $"{layer.Label}'s \"activation\""),
                JsonValueKind.Null => "",
                _ => throw new InvalidDataException($"{layer.Label} has an \"activation\" that is not a string ({activation.GetRawText()}): a custom activation, which RnnGen cannot represent"),
            };
        }
        if (element.TryGetProperty("weights", out JsonElement weights))
        {
            if (weights.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{layer.Label} has \"weights\" that are not an array");
            layer.Weights.AddRange(weights.EnumerateArray());
        }
        return layer;
    }

    private static bool? OptionalBool(KerasLayer layer, string property)
    {
        if (!layer.Element.TryGetProperty(property, out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        throw new InvalidDataException($"{layer.Label} has \"{property}\": {value.GetRawText()}, expected true or false");
    }

    private static void CheckUnits(KerasLayer layer, int units)
    {
        if (layer.Element.TryGetProperty("units", out JsonElement u) && u.ValueKind == JsonValueKind.Number && u.GetDouble() != units)
            throw new InvalidDataException($"{layer.Label} has {u.GetRawText()} units, the model's layer has {units}");
        if (layer.Element.TryGetProperty("shape", out JsonElement s) && s.ValueKind == JsonValueKind.Array && s.GetArrayLength() > 0
            && s[s.GetArrayLength() - 1] is { ValueKind: JsonValueKind.Number } last && last.GetDouble() != units)
            throw new InvalidDataException($"{layer.Label} has output shape {s.GetRawText()}, the model's layer has {units} outputs");
    }

    private static void Recurrent(KerasLayer layer, RecurrentLayerInfo info, PyTorchTensors tensors)
    {
        CellType cell = layer.Type switch { "lstm" => CellType.Lstm, "gru" => CellType.Gru, _ => CellType.SimpleRnn };
        string where = $"{layer.Label}, the model's recurrent layer {info.Index} {GateOrder.Declaration(info)}";
        if (cell != info.Cell)
            throw new InvalidDataException($"{layer.Label} is a {layer.Type} layer, but the model's recurrent layer {info.Index} is {GateOrder.Declaration(info)}");
        int H = info.HiddenSize, I = info.InputSize, gates = GateOrder.Gates(cell), G = gates * H;
        CheckUnits(layer, H);

        if (OptionalBool(layer, "go_backwards") == true)
            throw new InvalidDataException($"{where}: go_backwards=True (a reversed sequence) is not supported");

        // Activations: Keras's activation (tanh) and recurrent_activation (sigmoid) for LSTM/GRU; tanh or relu for SimpleRNN.
        string activation = layer.ActivationName.ToLowerInvariant();
        if (cell == CellType.SimpleRnn)
        {
            string expected = info.Activation == Activation.Relu ? "relu" : "tanh";
            if (activation != expected)
                throw new InvalidDataException($"{where}: activation is {Quote(layer.ActivationName)}, the model's layer uses {Quote(expected)}" +
                    (activation is "tanh" or "relu" ? $" (declare Activation = Activation.{(activation == "relu" ? "Relu" : "Tanh")})" : " (RnnGen's SimpleRnn has tanh or relu)"));
        }
        else
        {
            if (activation != "tanh")
                throw new InvalidDataException($"{where}: activation is {Quote(layer.ActivationName)}, but RnnGen's {layer.Type.ToUpperInvariant()} uses \"tanh\"");
            if (layer.Element.TryGetProperty("recurrent_activation", out JsonElement recurrentActivation) && recurrentActivation.ValueKind != JsonValueKind.Null)
            {
                // Absent (RTNeural's files): RTNeural's runtime, like Keras 2.3 and later, uses the sigmoid.
                string value = recurrentActivation.ValueKind == JsonValueKind.String ? Text(recurrentActivation, $"{where}: \"recurrent_activation\"") : recurrentActivation.GetRawText();
                if (value.ToLowerInvariant() != "sigmoid")
                    throw new InvalidDataException($"{where}: recurrent_activation is {Quote(value)}, but RnnGen's gates use \"sigmoid\"" +
                        (value.Contains("hard_sigmoid", StringComparison.OrdinalIgnoreCase) ? " (Keras before 2.3 defaulted to hard_sigmoid: retrain or fine-tune with recurrent_activation=\"sigmoid\")" : ""));
            }
        }

        if (layer.Weights.Count is not (2 or 3))
            throw new InvalidDataException($"{where}: expected 3 weight arrays (kernel, recurrent_kernel, bias) or 2 without bias, found {layer.Weights.Count}");
        bool hasBias = layer.Weights.Count == 3;
        if (OptionalBool(layer, "use_bias") is bool useBias && useBias != hasBias)
            throw new InvalidDataException($"{where}: use_bias is {(useBias ? "true" : "false")} but the layer has {layer.Weights.Count} weight arrays");

        double[] kernel = Matrix(layer, 0, I, G, "kernel");
        double[] recurrentKernel = Matrix(layer, 1, H, G, "recurrent_kernel");

        // The bias: one row [G·H], or two rows [2, G·H] for a GRU with reset_after=True.
        double[]? inputBias = null, recurrentBias = null;
        bool? resetAfter = cell == CellType.Gru ? OptionalBool(layer, "reset_after") : null;
        if (hasBias)
        {
            JsonElement bias = layer.Weights[2];
            bool twoRows = bias.ValueKind == JsonValueKind.Array && bias.GetArrayLength() > 0 && bias[0].ValueKind == JsonValueKind.Array;
            if (cell == CellType.Gru)
            {
                if (resetAfter is bool ra && ra != twoRows)
                    throw new InvalidDataException($"{where}: reset_after is {(ra ? "true" : "false")} but the bias has {(twoRows ? "two rows" : "one row")} (Keras writes [2, 3·units] with reset_after=True, [3·units] without)");
                resetAfter = twoRows;
            }
            if (twoRows)
            {
                if (cell != CellType.Gru)
                    throw new InvalidDataException($"{where}: the bias has two rows; only a GRU with reset_after=True has that");
                double[] rows = Matrix(layer, 2, 2, G, "bias");
                inputBias = rows[..G];
                recurrentBias = rows[G..];
            }
            else
            {
                inputBias = Vector(layer, 2, G, "bias");
            }
        }

        if (cell == CellType.Gru)
        {
            if (resetAfter is null)
                throw new InvalidDataException($"{where}: the GRU has no bias and no \"reset_after\" field, so the file does not say whether the reset gate applies after the recurrent product (reset_after=True) or before it; add \"reset_after\": true or false to the layer");
            if (resetAfter != info.ResetAfter)
                throw new InvalidDataException($"{where}: the file's GRU has reset_after={(resetAfter == true ? "True" : "False")}, the model's layer has ResetAfter = {(info.ResetAfter ? "true" : "false")}; " +
                    $"declare [Gru({H}{(resetAfter == true ? "" : ", ResetAfter = false")})] (reset_after=True is PyTorch's and Keras 2.x/3's default GRU; False is the original Cho et al. form)");
        }

        if (!info.Bias && hasBias && !(GateOrder.AllZero(inputBias) && (recurrentBias is null || GateOrder.AllZero(recurrentBias))))
            throw new InvalidDataException($"{where}: the file has nonzero biases, but the model's layer has Bias = false");

        int[] blockOf = GateOrder.KerasBlockOf(cell);
        // Keras kernel [I, G·H] column (block b, unit r) → PyTorch weight_ih [G·H, I] row (block p, unit r).
        PyTorchTensors.WriteGateBlocks(tensors.Tensor(info.WeightIhName, G, I), H, I, blockOf, (b, r, c) => kernel[c * G + b * H + r]);
        PyTorchTensors.WriteGateBlocks(tensors.Tensor(info.WeightHhName, G, H), H, H, blockOf, (b, r, c) => recurrentKernel[c * G + b * H + r]);
        if (info.Bias)
        {
            Span<double> biasIh = tensors.Tensor(info.BiasIhName, G), biasHh = tensors.Tensor(info.BiasHhName, G);
            if (inputBias is not null) PyTorchTensors.WriteGateBlocks(biasIh, H, 1, blockOf, (b, r, _) => inputBias[b * H + r]);
            if (recurrentBias is not null) PyTorchTensors.WriteGateBlocks(biasHh, H, 1, blockOf, (b, r, _) => recurrentBias[b * H + r]);
            // A single Keras bias is the sum of PyTorch's two: it goes to bias_ih, bias_hh stays zero.
        }
    }

    private static string NormalizeDense(string activation) => activation.ToLowerInvariant() switch
    {
        "" or "linear" or "none" => "linear",
        var other => other,
    };

    private static void Dense(KerasLayer layer, DenseLayerInfo info, PyTorchTensors tensors)
    {
        string where = $"{layer.Label}, the model's Dense layer {info.Index} {GateOrder.Declaration(info)}";
        CheckUnits(layer, info.OutputSize);
        Activation activation = NormalizeDense(layer.ActivationName) switch
        {
            "linear" => Activation.None,
            "tanh" => Activation.Tanh,
            "sigmoid" => Activation.Sigmoid,
            "relu" => Activation.Relu,
            "softmax" => Activation.Softmax,
            _ => throw new InvalidDataException($"{where}: activation {Quote(layer.ActivationName)} is not one RnnGen has (linear, tanh, sigmoid, relu, softmax)"),
        };
        if (activation != info.Activation)
            throw new InvalidDataException($"{where}: the file's activation is {Quote(layer.ActivationName.Length == 0 ? "linear" : layer.ActivationName)}, the model's layer has Activation = {info.Activation}");
        if (layer.Weights.Count is not (1 or 2))
            throw new InvalidDataException($"{where}: expected 2 weight arrays (kernel, bias) or 1 without bias, found {layer.Weights.Count}");
        if (OptionalBool(layer, "use_bias") is bool useBias && useBias != (layer.Weights.Count == 2))
            throw new InvalidDataException($"{where}: use_bias is {(useBias ? "true" : "false")} but the layer has {layer.Weights.Count} weight arrays");
        double[] kernel = Matrix(layer, 0, info.InputSize, info.OutputSize, "kernel");
        double[]? bias = layer.Weights.Count == 2 ? Vector(layer, 1, info.OutputSize, "bias") : null;
        if (!info.Bias && bias is not null && !GateOrder.AllZero(bias))
            throw new InvalidDataException($"{where}: the file has a nonzero bias, but the model's layer has Bias = false");

        Span<double> weight = tensors.Tensor(info.WeightName, info.OutputSize, info.InputSize);
        for (int o = 0; o < info.OutputSize; o++)
            for (int i = 0; i < info.InputSize; i++)
                weight[o * info.InputSize + i] = kernel[i * info.OutputSize + o];
        if (info.Bias)
        {
            Span<double> destination = tensors.Tensor(info.BiasName, info.OutputSize);
            if (bias is not null) bias.CopyTo(destination);
        }
    }

    private static double[] Matrix(KerasLayer layer, int slot, int rows, int columns, string what)
    {
        JsonElement element = layer.Weights[slot];
        var values = new double[rows * columns];
        int actualRows = element.ValueKind == JsonValueKind.Array ? element.GetArrayLength() : -1;
        int actualColumns = actualRows > 0 && element[0].ValueKind == JsonValueKind.Array ? element[0].GetArrayLength() : -1;
        if (actualRows != rows || actualColumns != columns)
            throw new InvalidDataException($"{layer.Label}: {what} (weights[{slot}]) has shape {ShapeOf(element)}, expected [{rows}, {columns}]");
        int r = 0;
        foreach (JsonElement row in element.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != columns)
                throw new InvalidDataException($"{layer.Label}: {what} (weights[{slot}]) row {r} has {(row.ValueKind == JsonValueKind.Array ? row.GetArrayLength() + " values" : "no array")}, expected {columns}");
            int c = 0;
            foreach (JsonElement value in row.EnumerateArray()) values[r * columns + c++] = Number(layer, value, what, slot);
            r++;
        }
        return values;
    }

    private static double[] Vector(KerasLayer layer, int slot, int length, string what)
    {
        JsonElement element = layer.Weights[slot];
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != length || (length > 0 && element[0].ValueKind == JsonValueKind.Array))
            throw new InvalidDataException($"{layer.Label}: {what} (weights[{slot}]) has shape {ShapeOf(element)}, expected [{length}]");
        var values = new double[length];
        int i = 0;
        foreach (JsonElement value in element.EnumerateArray()) values[i++] = Number(layer, value, what, slot);
        return values;
    }

    private static double Number(KerasLayer layer, JsonElement value, string what, int slot)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !double.IsFinite(number))
            throw new InvalidDataException($"{layer.Label}: {what} (weights[{slot}]) has a value that is not a finite number: {value.GetRawText()}");
        return number;
    }

    private static string ShapeOf(JsonElement element)
    {
        var dims = new List<string>();
        while (element.ValueKind == JsonValueKind.Array)
        {
            int length = element.GetArrayLength();
            dims.Add(length.ToString(CultureInfo.InvariantCulture));
            if (length == 0) break;
            element = element[0];
        }
        return element.ValueKind is JsonValueKind.Array or JsonValueKind.Number ? "[" + string.Join(", ", dims) + "]" : $"{element.ValueKind} (not an array of numbers)";
    }
}
