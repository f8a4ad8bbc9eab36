using Platform.Media.Amf0;

namespace Platform.Media.Tests.Amf0;

/// <summary>Deep, type-exact comparison of AMF0 model values.</summary>
internal static class Amf0Assert
{
    public static void Equal(object? expected, object? actual, string path = "$")
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual ?? "null"}");
                break;
            case Amf0Object expectedObject:
                var actualObject = Assert.IsType<Amf0Object>(actual);
                Assert.True(expectedObject.IsEcmaArray == actualObject.IsEcmaArray, $"{path}: IsEcmaArray differs");
                Assert.True(expectedObject.Count == actualObject.Count, $"{path}: {expectedObject.Count} properties expected, got {actualObject.Count}");
                for (var i = 0; i < expectedObject.Count; i++)
                {
                    Assert.Equal(expectedObject[i].Key, actualObject[i].Key);
                    Equal(expectedObject[i].Value, actualObject[i].Value, $"{path}.{expectedObject[i].Key}");
                }

                break;
            case IReadOnlyList<object?> expectedList:
                var actualList = Assert.IsType<List<object?>>(actual);
                Assert.True(expectedList.Count == actualList.Count, $"{path}: {expectedList.Count} elements expected, got {actualList.Count}");
                for (var i = 0; i < expectedList.Count; i++)
                {
                    Equal(expectedList[i], actualList[i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.NotNull(actual);
                Assert.True(expected.GetType() == actual.GetType(), $"{path}: {expected.GetType()} expected, got {actual.GetType()}");
                Assert.Equal(expected, actual);
                break;
        }
    }
}
