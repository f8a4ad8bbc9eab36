namespace Platform.Sources.Pull;

/// <summary>Media flowed, then nothing for the stall timeout while the connection stayed open (a frozen camera).</summary>
public sealed class SourceStalledException(string reason) : Exception(reason);
