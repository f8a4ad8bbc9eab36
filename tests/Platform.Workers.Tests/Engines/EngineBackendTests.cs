using Platform.Workers.Engines;

namespace Platform.Workers.Tests.Engines;

public class EngineBackendTests
{
    private const string Url = "http://biz/engines";

    [Theory]
    [InlineData("""{"code":0,"data":{"engines":["480p","240p"]}}""", "480p", true, "chosen by backend http://biz/engines")]
    [InlineData("""{"code":0,"data":{"engines":["240p"]}}""", "480p", false, "not chosen by backend http://biz/engines")]
    [InlineData("""{"code":0,"data":{}}""", "480p", false, "not chosen by backend http://biz/engines")]
    [InlineData("""{"code":0}""", "480p", false, "not chosen by backend http://biz/engines")]
    [InlineData("""{"code":0,"data":{"engines":"480p"}}""", "480p", false, "not chosen by backend http://biz/engines")]
    [InlineData("""{"code":1,"data":{"engines":["480p"]}}""", "480p", false, "backend http://biz/engines refused: {\"code\":1,\"data\":{\"engines\":[\"480p\"]}}")]
    [InlineData("""{"code":"0"}""", "480p", false, "backend http://biz/engines refused: {\"code\":\"0\"}")]
    [InlineData("""[]""", "480p", false, "backend http://biz/engines refused: []")]
    [InlineData("""not json""", "480p", false, "backend http://biz/engines answered something that is not JSON: not json")]
    public void The_answer_decides_for_the_engine_it_names(string answer, string engine, bool run, string reason)
    {
        var decision = EngineBackend.Decide(answer, engine, Url);
        Assert.Equal(run, decision.Run);
        Assert.Equal(reason, decision.Reason);
    }

    [Fact]
    public void A_long_refusal_is_cut_in_the_reason()
    {
        var answer = "{\"code\":5,\"msg\":\"" + new string('x', 500) + "\"}";
        var (run, reason) = EngineBackend.Decide(answer, "480p", Url);
        Assert.False(run);
        Assert.EndsWith("…", reason, StringComparison.Ordinal);
        Assert.True(reason.Length < 300);
    }
}
