using Microsoft.Extensions.Logging;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Workers;
using Platform.Workers.Engines;
using Platform.Workers.Forward;
using Platform.Workers.Hls;
using Platform.Workers.Rules;

namespace Platform.Workers;

/// <summary>The workers layer's answer to "what runs for this stream": the rules decide, actors run it.</summary>
/// <remarks><paramref name="planner"/> gives the rules in force when asked (they can be reloaded).</remarks>
/// <remarks><paramref name="forwards"/> gives forwards the node's id for <c>on_forward</c> (none: an empty <c>server_id</c>).</remarks>
public sealed class StreamWorkerFactory(Func<WorkerPlanner> planner, Func<StreamControl> control, ILoggerFactory loggers, EngineHost? engines = null, ForwardHost? forwards = null) : IStreamWorkerFactory
{
    public IReadOnlyList<WorkerDecision> WorkersFor(StreamKey stream, IReadOnlyList<LineageStep> lineage)
    {
        var plan = planner().Plan(stream, lineage);
        var hls = plan.Hls is null
            ? new WorkerDecision("hls", null, plan.HlsReason)
            : new WorkerDecision("hls", HlsWorkerActor.Props(stream, plan.Hls, control(), loggers.CreateLogger<HlsWorkerActor>()), plan.HlsReason);
        var dvr = plan.Dvr is null
            ? new WorkerDecision("dvr", null, plan.DvrReason)
            : new WorkerDecision("dvr", Dvr.DvrWorkerActor.Props(stream, plan.Dvr, control(), loggers.CreateLogger<Dvr.DvrWorkerActor>()), plan.DvrReason);
        return [hls, dvr, .. plan.Engines.Select(Engine), .. plan.Forwards.Select(ForwardWorker)];
    }

    public WorkerDecision OnDemand(StreamKey stream, IReadOnlyList<LineageStep> lineage, string name)
    {
        if (name.StartsWith(WorkerPlanner.EngineWorkerPrefix, StringComparison.Ordinal))
        {
            return Engine(planner().PlanEngineOnDemand(stream, lineage, name[WorkerPlanner.EngineWorkerPrefix.Length..]));
        }

        if (name.StartsWith(WorkerPlanner.ForwardWorkerPrefix, StringComparison.Ordinal))
        {
            return ForwardWorker(planner().PlanForwardOnDemand(stream, lineage, name[WorkerPlanner.ForwardWorkerPrefix.Length..]));
        }

        if (name != "dvr")
        {
            return new WorkerDecision(name, null, $"no worker named {name} can be started on demand");
        }

        var (settings, reason) = planner().PlanDvrOnDemand(stream, lineage);
        return settings is null
            ? new WorkerDecision(name, null, reason)
            : new WorkerDecision(name, Dvr.DvrWorkerActor.Props(stream, settings, control(), loggers.CreateLogger<Dvr.DvrWorkerActor>()), reason);
    }

    private WorkerDecision Engine(EnginePlan plan)
    {
        if (plan.Settings is null)
        {
            return new WorkerDecision(plan.WorkerName, null, plan.Reason);
        }

        return engines is null
            ? new WorkerDecision(plan.WorkerName, null, "this node runs no engines")
            : new WorkerDecision(plan.WorkerName, EngineWorkerActor.Props(plan.Settings, engines, control(), loggers.CreateLogger<EngineWorkerActor>()), plan.Reason);
    }

    private WorkerDecision ForwardWorker(ForwardPlan plan) =>
        plan.Settings is null
            ? new WorkerDecision(plan.WorkerName, null, plan.Reason)
            : new WorkerDecision(plan.WorkerName, ForwardWorkerActor.Props(plan.Settings, control(), forwards ?? ForwardHost.Default, loggers.CreateLogger<ForwardWorkerActor>()), plan.Reason);
}
