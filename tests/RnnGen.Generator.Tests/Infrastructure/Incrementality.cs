using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests.Infrastructure;

/// <summary>Checks that pipeline values are pure values: cached on an unchanged compilation, and free of Roslyn objects.</summary>
internal static class Incrementality
{
    /// <summary>Every tracking name in <see cref="TrackingNames"/>, read by reflection so new steps are covered.</summary>
    public static IReadOnlyList<string> StepNames { get; } = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToList();

    public static void AssertCachedAfterClone(GeneratorHarness harness)
    {
        GeneratorDriverRunResult first = harness.Run();
        harness.Clone();
        GeneratorDriverRunResult second = harness.Run();
        foreach (string name in StepNames)
        {
            if (!second.Results[0].TrackedSteps.TryGetValue(name, out var steps)) continue;
            foreach (IncrementalGeneratorRunStep step in steps)
                foreach (var (value, reason) in step.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"Step {name} was {reason} on an unchanged compilation.");
                    AssertNoRoslynObjects(value, name);
                }
        }
        foreach (var (_, reason) in second.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
            Assert.Equal(IncrementalStepRunReason.Cached, reason);
        Assert.Equal(GeneratorHarness.Generated(first), GeneratorHarness.Generated(second));
    }

    /// <summary>Walks the object graph and fails on any symbol, syntax node, compilation or location.</summary>
    public static void AssertNoRoslynObjects(object? value, string step)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object?>();
        pending.Push(value);
        while (pending.Count > 0)
        {
            object? o = pending.Pop();
            if (o is null || o is string || o.GetType().IsPrimitive || o.GetType().IsEnum || !seen.Add(o)) continue;
            Assert.False(o is ISymbol or SyntaxNode or SemanticModel or Compilation or Location or AttributeData or SyntaxTree,
                $"Step {step} holds a {o.GetType().Name}, which keeps compilations alive and breaks caching.");
            if (o is IEnumerable items)
                foreach (object? item in items) pending.Push(item);
            foreach (FieldInfo field in o.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                if (!field.FieldType.IsPointer) pending.Push(field.GetValue(o));
        }
    }
}
