namespace RnnGen.Generator.Infrastructure;

/// <summary>Metadata names of the attributes in the runtime library, read without loading it.</summary>
internal static class KnownNames
{
    public const string RecurrentModelAttribute = "RnnGen.RecurrentModelAttribute";
    public const string LstmAttribute = "RnnGen.LstmAttribute";
    public const string GruAttribute = "RnnGen.GruAttribute";
    public const string SimpleRnnAttribute = "RnnGen.SimpleRnnAttribute";
    public const string DenseAttribute = "RnnGen.DenseAttribute";
    public const string EmbeddingAttribute = "RnnGen.EmbeddingAttribute";

    public const string GeneratorName = "RnnGen.Generator";
}
