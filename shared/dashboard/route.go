package dashboard

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// LambdaHandler answers one API Gateway HTTP API (payload 2.0) request.
type LambdaHandler func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Route sends /p/... to the dashboard and everything else to next: LinkFunction serves the dashboard beside
// the signed links, with the same key and store.
func Route(dash *Handler, next LambdaHandler) LambdaHandler {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		path := req.RawPath
		if path == "" {
			path = req.RequestContext.HTTP.Path
		}
		if strings.HasSuffix(req.RouteKey, " /p/{token}") || strings.HasPrefix(path, "/p/") {
			return dash.Handle(ctx, req)
		}
		return next(ctx, req)
	}
}
