using System;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// Inference allocates nothing: after a warm-up, <see cref="GC.GetAllocatedBytesForCurrentThread"/> does not move
/// across 1000 Step calls or a 64-step Forward, through the model's own state and through <c>ref State</c>, for LSTM,
/// both GRU variants and SimpleRNN models with stacked layers or multi-layer Dense heads, in float and double.
/// </summary>
public class AllocationTests
{
    public static TheoryData<string> Models => new(ModelDrivers.Names);

    [Theory]
    [MemberData(nameof(Models))]
    public void StepAndForwardAllocateNothing(string name) => ModelDrivers.Run(name, new NoAllocations());

    /// <summary>The control: the counter does see an allocation in this process, so zero means zero.</summary>
    [Fact]
    public void TheCounterSeesAnAllocation()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        object[] box = new object[16];
        long after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(box);
        Assert.True(after - before >= 16 * IntPtr.Size, $"{after - before} bytes");
    }

    private sealed class NoAllocations : IDriverTest
    {
        private const int Steps = 1000;
        private const int SequenceLength = 64;

        public void Run<TModel, TState, T>(ModelDriver<TModel, TState, T> d)
            where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged
        {
            TModel model = d.Model;
            IRecurrentModel<T> viaInterface = model;
            T[] input = d.RandomInputs(1, seed: 1);
            T[] output = new T[model.OutputSize];
            T[] inputs = d.RandomInputs(SequenceLength, seed: 2);
            T[] outputs = new T[SequenceLength * model.OutputSize];
            StateStep<TState, T> step = d.Step;
            StateForward<TState, T> forward = d.Forward;
            TState state = default;

            // Warm-up: every path once (and a few more, so tiered compilation has had its chance).
            for (int i = 0; i < 50; i++)
            {
                model.Step(input, output);
                viaInterface.Step(input, output);
                step(ref state, input, output);
                model.Forward(inputs, outputs);
                forward(ref state, inputs, outputs);
                model.ResetState();
                state = default;
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Steps; i++) model.Step(input, output);
            long afterStep = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Steps; i++) step(ref state, input, output);
            long afterStateStep = GC.GetAllocatedBytesForCurrentThread();
            model.Forward(inputs, outputs);
            long afterForward = GC.GetAllocatedBytesForCurrentThread();
            forward(ref state, inputs, outputs);
            long afterStateForward = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Steps; i++) viaInterface.Step(input, output);
            viaInterface.Forward(inputs, outputs);
            model.ResetState();
            long afterInterface = GC.GetAllocatedBytesForCurrentThread();

            Assert.True(afterStep == before, $"{d.Name}: {Steps} × Step(input, output) allocated {afterStep - before} bytes.");
            Assert.True(afterStateStep == afterStep, $"{d.Name}: {Steps} × Step(ref State, input, output) allocated {afterStateStep - afterStep} bytes.");
            Assert.True(afterForward == afterStateStep, $"{d.Name}: Forward of {SequenceLength} steps allocated {afterForward - afterStateStep} bytes.");
            Assert.True(afterStateForward == afterForward, $"{d.Name}: Forward(ref State) of {SequenceLength} steps allocated {afterStateForward - afterForward} bytes.");
            Assert.True(afterInterface == afterStateForward, $"{d.Name}: Step/Forward/ResetState through IRecurrentModel<T> allocated {afterInterface - afterStateForward} bytes.");

            // The work was real: the outputs are finite numbers.
            Assert.All(Norms.ToDouble<T>(outputs), v => Assert.True(double.IsFinite(v)));
        }
    }
}
