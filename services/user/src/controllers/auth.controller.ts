import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest, NoStore, Public } from '@etsr/platform';
import { LoginDto, RefreshTokenDto, TokenResponseDto } from '../dtos/auth.dto';
import { RegisterUserDto, UserResponseDto } from '../dtos/user.dto';
import { AuthService } from '../services/auth.service';
import { UsersService } from '../services/users.service';

/** Documented on answers that carry tokens. */
const TOKEN_HEADERS = {
  'Cache-Control': { description: 'no-store: the tokens must not be cached', schema: { type: 'string', example: 'no-store' } },
  Pragma: { description: 'no-cache, for HTTP/1.0 caches', schema: { type: 'string', example: 'no-cache' } },
};

@ApiTags('authentication')
@Public()
@Controller('v1/users')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('register')
  @ApiOperation({ summary: 'Register a new account' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiOkResponse({ type: UserResponseDto, description: 'The same registration again (same username, e-mail and password): the existing account, nothing created' })
  @ApiConflictResponse({ description: 'USERNAME_TAKEN or EMAIL_TAKEN' })
  @ApiTooManyRequestsResponse({ description: 'More than REGISTRATIONS_PER_IP registrations from this client address in the window; see Retry-After' })
  async register(@Body() dto: RegisterUserDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserResponseDto> {
    const { user, created } = await this.users.register(dto, request.ip);
    reply.status(created ? 201 : 200);
    return user;
  }

  @Post('login')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({ summary: 'Log in: an access token (3600 s) and a refresh token' })
  @ApiOkResponse({ type: TokenResponseDto, headers: TOKEN_HEADERS })
  @ApiUnauthorizedResponse({ description: 'INVALID_CREDENTIALS' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts from this client address, for this username from this address, or for this username from everywhere; see Retry-After' })
  login(@Body() dto: LoginDto, @Req() request: FastifyRequest): Promise<TokenResponseDto> {
    return this.auth.login(dto, request.ip);
  }

  @Post('refresh')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({ summary: 'Exchange a refresh token for new tokens (the old refresh token is spent)' })
  @ApiOkResponse({ type: TokenResponseDto, headers: TOKEN_HEADERS })
  @ApiUnauthorizedResponse({ description: 'INVALID_REFRESH_TOKEN, or REFRESH_TOKEN_REUSED (the whole session is revoked, its access tokens too)' })
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenResponseDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End the session of a refresh token',
    description: "Its refresh tokens at once; its access tokens are refused (401 TOKEN_REVOKED) by every service within seconds. The user's other sessions go on.",
  })
  @ApiNoContentResponse()
  logout(@Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(dto.refreshToken);
  }
}
