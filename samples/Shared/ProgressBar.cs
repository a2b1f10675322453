using System;
using Spectre.Console;

namespace RnnGen.Samples;

/// <summary>A Spectre.Console progress bar on a terminal; nothing when the output goes to a file or a pipe (the per-epoch lines remain).</summary>
public sealed class ProgressBar
{
    private readonly ProgressTask _task;

    private ProgressBar(ProgressTask task) => _task = task;

    public void Update(double value, string description)
    {
        _task.Value = value;
        _task.Description = description;
    }

    /// <summary>Runs <paramref name="body"/> with a bar of <paramref name="total"/> units, or with null when the console is not interactive.</summary>
    public static void Run(double total, Action<ProgressBar?> body)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            body(null);
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: total);
                body(new ProgressBar(task));
                task.Value = total;
            });
    }
}
