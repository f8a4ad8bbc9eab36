using Platform.Media.Amf0;

namespace Platform.Ingest.Rtmp;

/// <summary>The <c>onStatus</c> and <c>_result</c> information objects the server answers with.</summary>
public static class RtmpStatus
{
    public const string ConnectSuccess = "NetConnection.Connect.Success";
    public const string ConnectRejected = "NetConnection.Connect.Rejected";
    public const string PublishStart = "NetStream.Publish.Start";
    public const string PublishBadName = "NetStream.Publish.BadName";
    public const string PublishDenied = "NetStream.Publish.Denied";
    public const string UnpublishSuccess = "NetStream.Unpublish.Success";
    public const string PlayReset = "NetStream.Play.Reset";
    public const string PlayStart = "NetStream.Play.Start";
    public const string PlayStop = "NetStream.Play.Stop";
    public const string PlayStreamNotFound = "NetStream.Play.StreamNotFound";
    public const string PlayFailed = "NetStream.Play.Failed";
    public const string DataStart = "NetStream.Data.Start";
    public const string PauseNotify = "NetStream.Pause.Notify";
    public const string UnpauseNotify = "NetStream.Unpause.Notify";

    public static Amf0Object Status(string code, string description, string level = "status", string? details = null, string? clientId = null)
    {
        var info = new Amf0Object();
        info.Add("level", level);
        info.Add("code", code);
        info.Add("description", description);
        if (details is not null)
        {
            info.Add("details", details);
        }

        if (clientId is not null)
        {
            info.Add("clientid", clientId);
        }

        return info;
    }

    public static Amf0Object Error(string code, string description) => Status(code, description, "error");

    public static Amf0Object ServerProperties()
    {
        var properties = new Amf0Object();
        properties.Add("fmsVer", "FMS/3,5,3,888");
        properties.Add("capabilities", 127.0);
        properties.Add("mode", 1.0);
        return properties;
    }
}
