using RnnGen.Generator.Infrastructure;

namespace RnnGen.Generator.Model;

/// <summary>One type declaration to reopen: its keyword (<c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c>, <c>interface</c>) and name.</summary>
internal readonly record struct TypeDeclaration(string Keyword, string Name);

/// <summary>Where the model class lives: its namespace (empty for the global namespace) and the types around it, outermost first, ending with the model itself.</summary>
internal sealed record TypeHierarchy(string Namespace, EquatableArray<TypeDeclaration> Types)
{
    public string ModelName => Types[Types.Count - 1].Name;

    /// <summary>Namespace and nesting, e.g. <c>Demo.Models.Outer.CharModel</c>, for the hint name and comments.</summary>
    public string DisplayName
    {
        get
        {
            string nesting = string.Join(".", System.Linq.Enumerable.Select(Types, t => t.Name));
            return Namespace.Length == 0 ? nesting : Namespace + "." + nesting;
        }
    }

    /// <summary>
    /// The exact name, nesting marked with <c>+</c> as in metadata (<c>Demo.Models.Outer+CharModel</c>): unlike
    /// <see cref="DisplayName"/>, different for a namespace <c>Demo.Outer</c> and a type <c>Demo.Outer</c>.
    /// </summary>
    public string MetadataName
    {
        get
        {
            string nesting = string.Join("+", System.Linq.Enumerable.Select(Types, t => t.Name));
            return Namespace.Length == 0 ? nesting : Namespace + "." + nesting;
        }
    }
}
