using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RnnGen.Generator.Tests.Infrastructure;

/// <summary>An AdditionalFiles item backed by a real file, as the compiler passes one.</summary>
internal sealed class FileAdditionalText(string path) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText? GetText(CancellationToken cancellationToken = default) =>
        SourceText.From(File.ReadAllText(Path));
}
