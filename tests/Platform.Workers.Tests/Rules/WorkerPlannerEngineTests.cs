using Platform.Streams;
using Platform.Streams.Access;
using Platform.Workers.Rules;

namespace Platform.Workers.Tests.Rules;

public sealed class WorkerPlannerEngineTests
{
    private const string Storage = "/srv/platform";
    private const string V = StreamKey.DefaultVhost;

    private static readonly AppRule[] Rules =
    [
        new() { App = "off", Enabled = false, Engines = [new EngineRule { Name = "480p" }] },
        new() { App = "live", Engine = "240p", Engines = [new EngineRule { Name = "120p" }, new EngineRule { Name = "240p" }] },
        new() { App = "live", Engine = "*", Hls = new HlsRule { Enabled = false } },
        new()
        {
            App = "live",
            Engines =
            [
                new EngineRule { Name = "480p", Video = new EngineVideo { Width = 854, Height = 480 } },
                new EngineRule { Name = "240p" },
                new EngineRule { Name = "1080p", Enabled = false },
                new EngineRule { Name = "moved", Output = "other/[stream]_x" },
            ],
        },
        new() { App = "news", Engines = [new EngineRule { Name = "sd" }] },
        new(),
    ];

    private static readonly StreamKey S1 = new(V, "live", "s1");

    private static WorkerPlanner Planner(IReadOnlyList<AppRule>? rules = null) => new(rules ?? Rules, Storage);

    private static EngineRule Engine(string name, string output = "[stream]_[engine]") => new() { Name = name, Output = output };

    [Fact]
    public void A_source_gets_an_engine_per_rule_entry()
    {
        var plan = Planner().Plan(S1);

        Assert.Equal(["480p", "240p", "1080p", "moved"], plan.Engines.Select(e => e.Name));
        var hd = plan.Engines[0];
        Assert.Equal("engine-480p", hd.WorkerName);
        Assert.NotNull(hd.Settings);
        Assert.Equal(S1, hd.Settings.Source);
        Assert.Equal(new StreamKey(V, "live", "s1_480p"), hd.Settings.Output);
        Assert.Equal([new LineageStep(S1, "480p")], hd.Settings.OutputLineage);
        Assert.Same(Rules[3].Engines[0], hd.Settings.Rule);
        Assert.Equal($"engine 480p by Apps:3:Engines:0 publishes {V}/live/s1_480p", hd.Reason);

        Assert.Equal(new StreamKey(V, "live", "s1_240p"), plan.Engines[1].Settings?.Output);
        Assert.Equal(new StreamKey(V, "other", "s1_x"), plan.Engines[3].Settings?.Output);
    }

    [Fact]
    public void A_disabled_engine_is_reported_with_its_key()
    {
        var off = Planner().Plan(S1).Engines[2];
        Assert.Equal("1080p", off.Name);
        Assert.Null(off.Settings);
        Assert.Equal("engine disabled by Apps:3:Engines:2:Enabled", off.Reason);
    }

    [Fact]
    public void A_disabled_app_runs_no_engine()
    {
        var plan = Planner().Plan(new StreamKey(V, "off", "s1"));
        Assert.Empty(plan.Engines);
        Assert.Equal("app disabled by Apps:0:Enabled", plan.HlsReason);
    }

    [Fact]
    public void A_rule_for_one_engine_s_renditions_covers_only_those()
    {
        var rendition = new StreamKey(V, "live", "s1_240p");
        var plan = Planner().Plan(rendition, [new LineageStep(S1, "240p")]);

        Assert.Equal(["120p", "240p"], plan.Engines.Select(e => e.Name));
        var low = plan.Engines[0].Settings;
        Assert.NotNull(low);
        Assert.Equal(rendition, low.Source);
        Assert.Equal(new StreamKey(V, "live", "s1_240p_120p"), low.Output);
        Assert.Equal([new LineageStep(S1, "240p"), new LineageStep(rendition, "120p")], low.OutputLineage);
        Assert.Equal("engine 120p by Apps:1:Engines:0 publishes " + low.Output, plan.Engines[0].Reason);

        // The engine that made the rendition does not run on it again.
        Assert.Null(plan.Engines[1].Settings);
        Assert.StartsWith("refused by Apps:1:Engines:1: ", plan.Engines[1].Reason, StringComparison.Ordinal);
        Assert.Contains("made by engine 240p already (loop)", plan.Engines[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_for_any_engine_covers_the_other_renditions()
    {
        var plan = Planner().Plan(new StreamKey(V, "live", "s1_480p"), [new LineageStep(S1, "480p")]);
        Assert.Empty(plan.Engines);
        Assert.Null(plan.Hls);
        Assert.Equal("HLS disabled by Apps:2:Hls:Enabled", plan.HlsReason);
    }

    [Fact]
    public void A_rule_without_engine_covers_renditions_but_runs_no_engine_on_them()
    {
        var source = new StreamKey(V, "news", "n1");
        Assert.Equal(["sd"], Planner().Plan(source).Engines.Select(e => e.Name));

        var plan = Planner().Plan(new StreamKey(V, "news", "n1_sd"), [new LineageStep(source, "sd")]);
        Assert.Empty(plan.Engines);
        Assert.NotNull(plan.Hls);
        Assert.StartsWith("HLS by Apps:4 ", plan.HlsReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_with_engine_does_not_cover_sources()
    {
        AppRule[] rules =
        [
            new() { App = "live", Engine = "*", Engines = [Engine("a")] },
            new() { App = "live", Engine = "240p", Engines = [Engine("b")] },
        ];
        var plan = Planner(rules).Plan(S1);
        Assert.Empty(plan.Engines);
        Assert.Null(plan.Hls);
        Assert.Equal($"no rule in Apps matches live/s1 on vhost {V}", plan.HlsReason);

        // Rule 1 is reached only by renditions of 240p that rule 0 did not take first: none here.
        Assert.Equal(["a"], Planner(rules).Plan(new StreamKey(V, "live", "s1_240p"), [new LineageStep(S1, "240p")]).Engines.Select(e => e.Name));
        Assert.Equal(["b"], Planner([.. rules.Reverse()]).Plan(new StreamKey(V, "live", "s1_240p"), [new LineageStep(S1, "240p")]).Engines.Select(e => e.Name));
        Assert.Equal(["a"], Planner([.. rules.Reverse()]).Plan(new StreamKey(V, "live", "s1_480p"), [new LineageStep(S1, "480p")]).Engines.Select(e => e.Name));
    }

    [Fact]
    public void An_engine_pattern_is_matched_against_the_last_step_only()
    {
        AppRule[] rules = [new() { Engine = "24?p", Engines = [Engine("x")] }, new() { Engine = "*" }];
        var planner = Planner(rules);
        var mid = new StreamKey(V, "live", "s1_240p");
        Assert.NotNull(Assert.Single(planner.Plan(new StreamKey(V, "live", "s1_240p_241p"), [new LineageStep(S1, "240p"), new LineageStep(mid, "241p")]).Engines).Settings);
        Assert.Empty(planner.Plan(new StreamKey(V, "live", "s1_240p_480p"), [new LineageStep(S1, "240p"), new LineageStep(mid, "480p")]).Engines);
        Assert.Empty(planner.Plan(new StreamKey(V, "live", "s1_240p_480p"), [new LineageStep(S1, "2400p"), new LineageStep(mid, "480p")]).Engines);
    }

    [Fact]
    public void A_rendition_too_deep_gets_no_engine()
    {
        AppRule[] rules = [new() { Engine = "*", Engines = [Engine("x"), Engine("y")] }];
        var lineage = Enumerable.Range(0, WorkerPlanner.MaxLineage).Select(i => new LineageStep(new StreamKey(V, "live", $"d{i}"), $"e{i}")).ToList();
        var plan = Planner(rules).Plan(new StreamKey(V, "live", "deep"), lineage);
        Assert.Equal(2, plan.Engines.Count);
        Assert.All(plan.Engines, e =>
        {
            Assert.Null(e.Settings);
            Assert.Contains($"is a rendition {WorkerPlanner.MaxLineage} engines deep (at most {WorkerPlanner.MaxLineage})", e.Reason, StringComparison.Ordinal);
        });

        // One step less is deep enough.
        Assert.All(Planner(rules).Plan(new StreamKey(V, "live", "deep"), lineage.Skip(1).ToList()).Engines, e => Assert.NotNull(e.Settings));
    }

    [Fact]
    public void An_operator_may_start_a_disabled_engine()
    {
        var plan = Planner().PlanEngineOnDemand(S1, null, "1080p");
        Assert.NotNull(plan.Settings);
        Assert.Equal(new StreamKey(V, "live", "s1_1080p"), plan.Settings.Output);
        Assert.Equal($"engine 1080p by Apps:3:Engines:2 publishes {V}/live/s1_1080p", plan.Reason);
        Assert.Equal("engine-1080p", plan.WorkerName);
    }

    [Fact]
    public void An_operator_is_told_of_an_unknown_engine_or_stream()
    {
        var unknown = Planner().PlanEngineOnDemand(S1, [], "4k");
        Assert.Null(unknown.Settings);
        Assert.Equal("Apps:3 has no engine named 4k", unknown.Reason);

        var nowhere = Planner([new() { App = "live" }]).PlanEngineOnDemand(new StreamKey(V, "other", "s"), [], "480p");
        Assert.Null(nowhere.Settings);
        Assert.Equal($"no rule in Apps matches other/s on vhost {V}", nowhere.Reason);
    }

    [Fact]
    public void An_operator_s_engine_is_under_the_loop_checks()
    {
        var rendition = new StreamKey(V, "live", "s1_240p");
        var plan = Planner().PlanEngineOnDemand(rendition, [new LineageStep(S1, "240p")], "240p");
        Assert.Null(plan.Settings);
        Assert.Contains("made by engine 240p already (loop)", plan.Reason, StringComparison.Ordinal);

        var low = Planner().PlanEngineOnDemand(rendition, [new LineageStep(S1, "240p")], "120p");
        Assert.Equal(new StreamKey(V, "live", "s1_240p_120p"), low.Settings?.Output);
    }

    [Theory]
    [InlineData("[stream]_[engine]", "live", "s1_480p")]
    [InlineData("other/[stream]_x", "other", "s1_x")]
    [InlineData("[app]_hd/[stream]", "live_hd", "s1")]
    [InlineData("/[stream]-[engine]", "live", "s1-480p")]
    [InlineData("[vhost]-[app]-[stream]-[engine]", "live", V + "-live-s1-480p")]
    [InlineData("a/b/[stream]", "a/b", "s1")]
    [InlineData("fixed", "live", "fixed")]
    public void The_output_template_names_the_rendition(string template, string app, string stream)
    {
        var output = WorkerPlanner.EngineOutput(Engine("480p", template), S1, out var problem);
        Assert.Null(problem);
        Assert.Equal(new StreamKey(V, app, stream), output);
    }

    [Fact]
    public void The_default_template_keeps_the_source_s_vhost_and_app()
    {
        var source = new StreamKey("tv.example", "a/b", "cam");
        Assert.Equal(new StreamKey("tv.example", "a/b", "cam_hd"), WorkerPlanner.EngineOutput(new EngineRule { Name = "hd" }, source, out _));
    }

    [Fact]
    public void Variables_are_substituted_once_so_a_name_holding_a_variable_s_text_keeps_it()
    {
        var source = new StreamKey(V, "live", "cam[engine]");
        Assert.Equal(new StreamKey(V, "live", "cam[engine]_480p"), WorkerPlanner.EngineOutput(Engine("480p"), source, out _));
    }

    [Theory]
    [InlineData("x/")]
    [InlineData("[stream]/")]
    [InlineData("[stream]?x")]
    [InlineData("[stream]#1")]
    [InlineData("a//[stream]")]
    [InlineData("../[stream]")]
    [InlineData("[stream]..x")]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("[stream]:[engine]")]
    public void An_output_that_is_not_a_stream_name_is_refused(string template)
    {
        Assert.Null(WorkerPlanner.EngineOutput(Engine("480p", template), S1, out var problem));
        Assert.NotNull(problem);
        Assert.Contains($"'{template}' gives", problem, StringComparison.Ordinal);
        Assert.EndsWith("not a valid stream name", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_output_is_reported_by_the_plan()
    {
        AppRule[] rules = [new() { Engines = [Engine("bad", "[stream]?x"), Engine("good")] }];
        var plan = Planner(rules).Plan(S1);
        Assert.Null(plan.Engines[0].Settings);
        Assert.Equal("Apps:0:Engines:0:Output '[stream]?x' gives 's1?x', not a valid stream name", plan.Engines[0].Reason);
        Assert.NotNull(plan.Engines[1].Settings);
    }

    [Fact]
    public void An_output_that_is_its_own_source_is_a_loop()
    {
        var refusal = WorkerPlanner.LoopRefusal("copy", S1, S1, []);
        Assert.Equal($"its output {S1} is its own source (loop)", refusal);

        AppRule[] rules = [new() { Engines = [Engine("copy", "[stream]")] }];
        var plan = Planner(rules).Plan(S1).Engines.Single();
        Assert.Null(plan.Settings);
        Assert.Equal($"refused by Apps:0:Engines:0: its output {S1} is its own source (loop)", plan.Reason);
    }

    [Fact]
    public void An_output_that_is_an_ancestor_is_a_loop()
    {
        var mid = new StreamKey(V, "live", "s1_a");
        var refusal = WorkerPlanner.LoopRefusal("b", new StreamKey(V, "live", "s1_a_b"), S1, [new LineageStep(S1, "a"), new LineageStep(mid, "c")]);
        Assert.Equal($"its output {S1} is a stream {V}/live/s1_a_b descends from (loop)", refusal);
        Assert.NotNull(WorkerPlanner.LoopRefusal("b", new StreamKey(V, "live", "s1_a_b"), mid, [new LineageStep(S1, "a"), new LineageStep(mid, "c")]));
    }

    [Fact]
    public void An_engine_already_in_the_lineage_is_a_loop()
    {
        var refusal = WorkerPlanner.LoopRefusal("a", new StreamKey(V, "live", "s1_a_b"), new StreamKey(V, "live", "new"), [new LineageStep(S1, "a"), new LineageStep(new StreamKey(V, "live", "s1_a"), "b")]);
        Assert.Equal($"{V}/live/s1_a_b was made by engine a already (loop)", refusal);
    }

    [Fact]
    public void Lineage_is_judged_by_descent_not_by_names()
    {
        // Names that look like renditions are no loop by themselves, and a fresh engine on a rendition may run.
        Assert.Null(WorkerPlanner.LoopRefusal("480p", new StreamKey(V, "live", "s1_480p"), new StreamKey(V, "live", "s1_480p_480p"), []));
        Assert.Null(WorkerPlanner.LoopRefusal("c", new StreamKey(V, "live", "s1_a"), new StreamKey(V, "live", "s1_a_c"), [new LineageStep(S1, "a")]));
    }

    [Fact]
    public void Lineage_is_at_most_the_maximum_deep()
    {
        List<LineageStep> lineage = [];
        for (var i = 0; i < WorkerPlanner.MaxLineage; i++)
        {
            Assert.Null(WorkerPlanner.LoopRefusal("z", new StreamKey(V, "live", $"r{i}"), new StreamKey(V, "live", "out"), lineage));
            lineage.Add(new LineageStep(new StreamKey(V, "live", $"r{i}"), $"e{i}"));
        }

        Assert.Equal(
            $"{V}/live/r4 is a rendition 4 engines deep (at most 4)",
            WorkerPlanner.LoopRefusal("z", new StreamKey(V, "live", "r4"), new StreamKey(V, "live", "out"), lineage));
    }
}
