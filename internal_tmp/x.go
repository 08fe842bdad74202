package x
import (
_ "github.com/xuri/excelize/v2"
_ "cel.dev/cel-go/cel"
_ "go.yaml.in/yaml/v3"
_ "github.com/spf13/cobra"
_ "golang.org/x/text/unicode/norm"
_ "golang.org/x/text/message"
_ "github.com/richardlehane/mscfb"
)
